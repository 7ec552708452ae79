"""Short video uploads (review clips): checked by content with PyAV, rebuilt without metadata, with a poster.

A video is accepted only when its bytes say MP4 or WebM (`uploads.detect_file_type`) *and* the
matching FFmpeg demuxer (forced, never probed) opens it and finds a picture stream. It must fit
the size, duration and pixel caps. The stored file is a new container holding only the first
video stream and the first audio stream:

- codecs browsers play (H.264/AV1 with AAC/MP3/Opus in MP4; VP8/VP9/AV1 with Opus/Vorbis in WebM)
  are copied packet by packet (remuxed): fast, no quality loss;
- anything else (HEVC, MPEG-4 Part 2, ...) is re-encoded to H.264 + AAC in MP4, at most 1280
  pixels on the long side. This decodes the whole clip, so it costs seconds of CPU per clip.

Either way container and stream metadata (titles, GPS "location" atoms, creation times, the
encoder tag), chapters, subtitles, data tracks (camera telemetry) and attachments are left behind.
The display rotation is kept, so phone videos stay upright. The poster is a frame from the first
second, re-encoded through `uploads.process_image` (metadata-free JPEG plus a thumbnail).

`check_video` is the cheap part, for the request: size, type by content, and the container's
header (streams, frame size, declared duration) read by the demuxer; no frame is decoded for the
checks. `process_video` (remux or re-encode, and the poster) costs up to seconds of CPU per clip:
run it in a task (`VideoUploadField(decode=False)` hands the form a CheckedVideo for that).
"""

from __future__ import annotations

import io
import logging
import tempfile
from dataclasses import dataclass
from fractions import Fraction

from django import forms
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from PIL import Image

from .uploads import ProcessedImage, detect_file_type, human_size, process_image, random_name
from .uploads.common import as_file, check_size

logger = logging.getLogger(__name__)

VIDEO_MAX_BYTES = 50 * 1024 * 1024
VIDEO_MAX_SECONDS = 120
VIDEO_MAX_PIXELS = 3840 * 2160  # 4K UHD; the frame size is read from the stream header
VIDEO_ACCEPT = "video/mp4,video/webm,.mp4,.webm"
# A clip of exactly two minutes may end a frame or an audio packet later than 120.000 s.
_DURATION_SLACK = 0.5
_REENCODE_MAX_SIDE = 1280
_POSTER_MAX_SIDE = 1920
_POSTER_AT_SECONDS = 1.0
_POSTER_MAX_FRAMES = 300  # frames decoded at most while looking for the poster

_FORMATS = {  # detected kind -> (forced FFmpeg demuxer, muxer, content type, extension)
    "mp4": ("mp4", "mp4", "video/mp4", "mp4"),
    "webm": ("webm", "webm", "video/webm", "webm"),
}
_COPY_CODECS = {  # codecs kept as they are in each container (all play in current browsers)
    "mp4": {"video": {"h264", "av1"}, "audio": {"aac", "mp3", "opus"}},
    "webm": {"video": {"vp8", "vp9", "av1"}, "audio": {"opus", "vorbis"}},
}
_NOT_A_VIDEO = "This file is not an MP4 or WebM video."


@dataclass(frozen=True)
class ProcessedVideo:
    content: File  # the rebuilt video under a random name, ready for a FileField or storage.save
    poster: ProcessedImage  # a frame near the start, re-encoded, with a thumbnail
    content_type: str  # "video/mp4" or "video/webm"
    duration: float  # seconds
    width: int
    height: int
    size: int  # bytes of `content`
    remuxed: bool  # True when the packets were copied, False when re-encoded


@dataclass(frozen=True)
class CheckedVideo:
    """An upload that passed the cheap checks (size, type, header); nothing decoded or rebuilt yet."""

    upload: File  # as received, rewound
    kind: str  # "mp4" or "webm"
    width: int
    height: int
    declared_seconds: float | None  # what the header says; packets are checked when it is rebuilt
    size: int  # bytes


def format_duration(seconds: float) -> str:
    """125.2 -> "2:05"."""
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def process_video(
    upload,
    *,
    max_bytes: int = VIDEO_MAX_BYTES,
    max_seconds: float = VIDEO_MAX_SECONDS,
    max_pixels: int = VIDEO_MAX_PIXELS,
) -> ProcessedVideo:
    """Validate an uploaded MP4 or WebM video and return it rebuilt without metadata, with a poster.

    Raises ValidationError (a message for the user) for an empty or too big file, anything that
    is not an MP4 or WebM video by content, no picture, too many pixels, too long, or damage.
    `upload` may be a CheckedVideo (its cheap checks run again: they cost little).
    """
    import av  # PyAV loads FFmpeg: only when a video arrives

    if isinstance(upload, CheckedVideo):
        upload = upload.upload
    upload = as_file(upload)
    check_size(upload, max_bytes=max_bytes, noun="Videos")
    kind = _kind(upload)
    demuxer, muxer, content_type, extension = _FORMATS[kind]
    limits = _Limits(max_seconds=max_seconds, max_pixels=max_pixels)
    upload.seek(0)
    try:
        with av.open(_source(upload), "r", format=demuxer) as source:
            video, audio = _pick_streams(source, limits)
            copy = _can_copy(kind, video, audio)
            # Deleted when closed; the caller gets it inside a File. FFmpeg writes to it by path.
            output = tempfile.NamedTemporaryFile(prefix="shomp-video-", suffix=f".{extension}")  # noqa: SIM115
            try:
                if copy:
                    _remux(source, video, audio, output, muxer, limits)
                else:
                    extension, content_type = "mp4", "video/mp4"
                    _reencode(source, video, audio, output, limits)
            except BaseException:
                output.close()
                raise
            width, height = video.codec_context.width, video.codec_context.height
    except ValidationError:
        raise
    except (av.FFmpegError, ValueError, OSError, EOFError) as error:
        logger.info("Refused a %s video: %r", kind, error)
        raise _damaged() from None

    size = output.seek(0, io.SEEK_END)
    output.seek(0)
    poster, duration = _poster(output)
    output.seek(0)
    return ProcessedVideo(
        content=File(output, name=random_name(extension)),
        poster=poster,
        content_type=content_type,
        duration=duration or limits.duration,
        width=width,
        height=height,
        size=size,
        remuxed=copy,
    )


def check_video(
    upload,
    *,
    max_bytes: int = VIDEO_MAX_BYTES,
    max_seconds: float = VIDEO_MAX_SECONDS,
    max_pixels: int = VIDEO_MAX_PIXELS,
) -> CheckedVideo:
    """The cheap half of process_video: size, type by content, and the container's header (a
    picture stream, its frame size, the declared duration). Raises ValidationError like it."""
    import av

    upload = as_file(upload)
    size = check_size(upload, max_bytes=max_bytes, noun="Videos")
    kind = _kind(upload)
    limits = _Limits(max_seconds=max_seconds, max_pixels=max_pixels)
    upload.seek(0)
    try:
        with av.open(_source(upload), "r", format=_FORMATS[kind][0]) as source:
            video, _ = _pick_streams(source, limits)
            width, height = video.codec_context.width, video.codec_context.height
            declared = _declared_seconds(source, video)
    except ValidationError:
        raise
    except (av.FFmpegError, ValueError, OSError, EOFError) as error:
        logger.info("Refused a %s video at its header: %r", kind, error)
        raise _damaged() from None
    upload.seek(0)
    return CheckedVideo(upload=upload, kind=kind, width=width, height=height, declared_seconds=declared, size=size)


def _kind(upload: File) -> str:
    kind = detect_file_type(upload)
    if kind not in _FORMATS:
        raise ValidationError(_NOT_A_VIDEO, code="file_type")
    return kind


def _damaged() -> ValidationError:
    return ValidationError(
        "This video is damaged or uses a format we can't read. Please export it again as MP4 or WebM.",
        code="corrupt_video",
    )


@dataclass
class _Limits:
    max_seconds: float
    max_pixels: int
    duration: float = 0.0

    def check_time(self, seconds: float) -> None:
        """Packets are checked as they pass: a header may lie about the duration."""
        self.duration = max(self.duration, seconds)
        if seconds > self.max_seconds + _DURATION_SLACK:
            raise _too_long(self.max_seconds, seconds)


def _too_long(max_seconds: float, seconds: float) -> ValidationError:
    return ValidationError(
        f"Videos can be at most {format_duration(max_seconds)} long; this one runs past {format_duration(seconds)}.",
        code="too_long",
    )


def _source(upload: File):
    path = getattr(upload, "temporary_file_path", None)
    return path() if callable(path) else upload


def _pick_streams(source, limits: _Limits):
    if not source.streams.video:
        raise ValidationError("This file has no picture: upload a video.", code="no_video")
    video = source.streams.video[0]
    audio = source.streams.audio[0] if source.streams.audio else None
    width, height = video.codec_context.width, video.codec_context.height
    if not width or not height:
        raise ValidationError(_NOT_A_VIDEO, code="file_type")
    if width * height > limits.max_pixels:
        raise ValidationError(
            f"This video is too large ({width}×{height} pixels): at most 4K (3840×2160) is allowed.",
            code="too_many_pixels",
        )
    declared = _declared_seconds(source, video)
    if declared is not None and declared > limits.max_seconds + _DURATION_SLACK:
        raise _too_long(limits.max_seconds, declared)
    return video, audio


def _declared_seconds(source, video) -> float | None:
    import av

    if source.duration is not None and source.duration > 0:
        return source.duration / av.time_base
    if video.duration is not None and video.time_base is not None:
        return float(video.duration * video.time_base)
    return None


def _can_copy(kind: str, video, audio) -> bool:
    allowed = _COPY_CODECS[kind]
    if video.codec_context.name not in allowed["video"]:
        return False
    return audio is None or audio.codec_context.name in allowed["audio"]


def _open_output(output, muxer: str, options: dict[str, str]):
    import av

    # bitexact: no "encoder: Lavf..." tag. Nothing else is written into the container's metadata.
    return av.open(output.name, "w", format=muxer, options={"fflags": "+bitexact", **options})


def _remux(source, video, audio, output, muxer: str, limits: _Limits) -> None:
    options = {"movflags": "+faststart"} if muxer == "mp4" else {}
    with _open_output(output, muxer, options) as target:
        streams = {video.index: target.add_stream_from_template(video)}
        if audio is not None:
            streams[audio.index] = target.add_stream_from_template(audio)
        wanted = [stream for stream in (video, audio) if stream is not None]
        for packet in source.demux(wanted):
            if packet.dts is None:  # the demuxer's end-of-stream marker
                continue
            if packet.pts is not None and packet.time_base is not None:
                limits.check_time(float(packet.pts * packet.time_base))
            packet.stream = streams[packet.stream.index]
            target.mux(packet)


def _reencode(source, video, audio, output, limits: _Limits) -> None:
    import av

    width, height = _fit(video.codec_context.width, video.codec_context.height, _REENCODE_MAX_SIDE)
    rate = video.average_rate or video.guessed_rate or Fraction(30)
    if rate > 60:
        rate = Fraction(60)
    with _open_output(output, "mp4", {"movflags": "+faststart"}) as target:
        out_video = target.add_stream("libx264", rate=rate)
        out_video.width, out_video.height, out_video.pix_fmt = width, height, "yuv420p"
        out_video.options = {"preset": "veryfast", "crf": "26"}
        rotation = _first_rotation(source, video)
        if rotation:
            out_video.set_display_rotation(rotation)
        out_audio = None
        if audio is not None:
            out_audio = target.add_stream("aac", rate=min(audio.codec_context.sample_rate or 48000, 48000))
            out_audio.layout = "stereo" if (audio.codec_context.channels or 1) > 1 else "mono"
        wanted = [stream for stream in (video, audio) if stream is not None]
        frame_index = 0
        for packet in source.demux(wanted):
            for frame in packet.decode():
                if frame.pts is not None and frame.time_base is not None:
                    limits.check_time(float(frame.pts * frame.time_base))
                if isinstance(frame, av.VideoFrame):
                    frame = frame.reformat(width=width, height=height, format="yuv420p")
                    frame.pts = frame_index
                    frame.time_base = 1 / rate
                    frame_index += 1
                    target.mux(out_video.encode(frame))
                elif out_audio is not None:
                    frame.pts = None
                    target.mux(out_audio.encode(frame))
        target.mux(out_video.encode(None))
        if out_audio is not None:
            target.mux(out_audio.encode(None))


def _first_rotation(source, video) -> float:
    """The display rotation (counter-clockwise degrees) of the first frame; the source is rewound."""
    rotation = 0.0
    for frame in source.decode(video):
        rotation = frame.rotation
        break
    source.seek(0)
    return rotation


def _fit(width: int, height: int, max_side: int) -> tuple[int, int]:
    scale = min(1.0, max_side / max(width, height))
    # Even sizes: 4:2:0 video needs them.
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


def _poster(output) -> tuple[ProcessedImage, float]:
    """A frame from the first second of the rebuilt video, upright, as a clean JPEG; and its duration."""
    import av

    image = None
    with av.open(output.name, "r") as video_file:
        duration = video_file.duration / av.time_base if video_file.duration else 0.0
        stream = video_file.streams.video[0]
        for count, frame in enumerate(video_file.decode(stream)):
            image = frame
            seconds = float(frame.pts * frame.time_base) if frame.pts is not None and frame.time_base else 0.0
            if seconds >= _POSTER_AT_SECONDS or count >= _POSTER_MAX_FRAMES:
                break
        if image is None:
            raise ValidationError("This video has no frames to show.", code="no_frames")
        picture = image.to_image()
        rotation = image.rotation
    if rotation:
        picture = picture.rotate(rotation, expand=True)
    picture.thumbnail((_POSTER_MAX_SIDE, _POSTER_MAX_SIDE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    picture.convert("RGB").save(buffer, format="JPEG", quality=88)
    return process_image(ContentFile(buffer.getvalue(), name="poster.jpg")), duration


class VideoUploadField(forms.FileField):
    """One MP4 or WebM video; the cleaned value is a ProcessedVideo, or None when no file was given.

    With `decode=False` the field only runs check_video and the cleaned value is the CheckedVideo,
    for a task to rebuild with process_video: the request never decodes a frame."""

    def __init__(
        self,
        *,
        max_bytes: int = VIDEO_MAX_BYTES,
        max_seconds: float = VIDEO_MAX_SECONDS,
        decode: bool = True,
        **kwargs,
    ):
        self.max_bytes, self.max_seconds, self.decode = max_bytes, max_seconds, decode
        kwargs.setdefault("widget", forms.FileInput(attrs={"accept": VIDEO_ACCEPT}))
        kwargs.setdefault(
            "help_text", f"MP4 or WebM, up to {human_size(max_bytes)} and {format_duration(max_seconds)} minutes."
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if not value or value is initial:
            return None
        if not self.decode:
            return check_video(value, max_bytes=self.max_bytes, max_seconds=self.max_seconds)
        return process_video(value, max_bytes=self.max_bytes, max_seconds=self.max_seconds)
