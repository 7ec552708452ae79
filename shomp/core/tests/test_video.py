"""core.video: MP4 and WebM only, by content; size, length and pixel caps; rebuilt without metadata; a poster."""

import functools
import io
from fractions import Fraction

import av
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from PIL import Image

from shomp.core.video import (
    VIDEO_MAX_BYTES,
    CheckedVideo,
    VideoUploadField,
    check_video,
    format_duration,
    process_video,
)

SECRET = "secret-location-marker"


@functools.cache
def clip(container="mp4", codec="libx264", *, seconds=1.0, fps=10, size=(32, 24), audio=None, rotation=0) -> bytes:
    """A short clip carrying metadata to strip: title, comment, a GPS location, a stream handler name."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container) as output:
        output.metadata.update({"title": SECRET, "comment": SECRET})
        if container == "mp4":
            output.metadata["location"] = "+51.5012-000.1245/"
        video = output.add_stream(codec, rate=fps)
        video.width, video.height, video.pix_fmt = size[0], size[1], "yuv420p"
        video.metadata["handler_name"] = SECRET
        if rotation:
            video.set_display_rotation(rotation)
        sound = None
        if audio:
            sound = output.add_stream(audio, rate=48000)
            sound.layout = "mono"
        for index in range(round(seconds * fps)):
            image = Image.new("RGB", size, (200, 40, 40))
            image.paste((20, 20, 200), (0, 0, size[0], size[1] // 4))  # a blue band along the top
            frame = av.VideoFrame.from_image(image)
            frame.pts, frame.time_base = index, Fraction(1, fps)
            output.mux(video.encode(frame))
        output.mux(video.encode(None))
        if sound is not None:
            frame_size = sound.codec_context.frame_size or 1024
            for start in range(0, int(seconds * 48000), frame_size):
                frame = av.AudioFrame(format=sound.codec_context.format.name, layout="mono", samples=frame_size)
                for plane in frame.planes:
                    plane.update(bytes(plane.buffer_size))
                frame.sample_rate, frame.pts, frame.time_base = 48000, start, Fraction(1, 48000)
                output.mux(sound.encode(frame))
            output.mux(sound.encode(None))
    return buffer.getvalue()


def upload(data: bytes, name="clip.mp4", content_type="video/mp4"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def reopen(processed):
    processed.content.seek(0)
    data = processed.content.read()
    return data, av.open(io.BytesIO(data))


@pytest.mark.parametrize(
    ("container", "codec", "audio", "content_type", "codecs"),
    [
        ("mp4", "libx264", None, "video/mp4", ["h264"]),
        ("mp4", "libx264", "aac", "video/mp4", ["h264", "aac"]),
        ("webm", "libvpx", None, "video/webm", ["vp8"]),
        ("webm", "libvpx-vp9", "libopus", "video/webm", ["vp9", "opus"]),
    ],
)
def test_browser_codecs_are_remuxed_without_any_metadata(container, codec, audio, content_type, codecs):
    original = clip(container, codec, audio=audio)
    assert SECRET.encode() in original  # the sample really carries it

    processed = process_video(upload(original, name="anything.bin", content_type="text/html"))

    data, result = reopen(processed)
    assert processed.remuxed and processed.content_type == content_type
    assert processed.content.name.endswith("." + content_type.split("/")[1])
    assert SECRET.encode() not in data and b"+51.5012" not in data
    assert not {"title", "comment", "location"} & set(result.metadata)
    assert all(SECRET not in value for stream in result.streams for value in stream.metadata.values())
    assert [stream.codec_context.name for stream in result.streams] == codecs
    assert (processed.width, processed.height) == (32, 24)
    assert 0.8 <= processed.duration <= 1.2
    assert processed.size == len(data)


def test_other_codecs_are_re_encoded_to_h264(settings):
    processed = process_video(upload(clip("mp4", "mpeg4", audio="aac")))

    data, result = reopen(processed)
    assert not processed.remuxed
    assert [stream.codec_context.name for stream in result.streams] == ["h264", "aac"]
    assert SECRET.encode() not in data
    assert processed.content_type == "video/mp4"


def test_the_poster_is_a_clean_upright_frame():
    processed = process_video(upload(clip(rotation=90)))

    poster = Image.open(processed.poster.content)
    assert poster.format == "JPEG" and poster.size == (24, 32)  # turned as the phone said
    assert processed.poster.thumbnail
    assert "exif" not in poster.info


@pytest.mark.parametrize(
    "data",
    [
        b"<!doctype html><html><body><script>alert(1)</script></body></html>\n" * 40,
        b"\x00\x00\x00\x18ftypheic" + b"\x00" * 200,  # an HEIC photo
        b"%PDF-1.4 not a video",
    ],
)
def test_what_is_not_mp4_or_webm_by_content_is_refused_whatever_it_is_called(data):
    with pytest.raises(ValidationError, match="not an MP4 or WebM video") as error:
        process_video(upload(data, name="clip.mp4", content_type="video/mp4"))
    assert error.value.code == "file_type"


def test_matroska_that_is_not_webm_is_refused():
    with pytest.raises(ValidationError, match="not an MP4 or WebM video"):
        process_video(upload(clip("matroska", "mpeg4"), name="clip.webm", content_type="video/webm"))


def test_a_damaged_video_is_refused():
    data = clip()
    with pytest.raises(ValidationError, match="damaged"):
        process_video(upload(data[:60] + b"\x00" * 40))


def test_audio_only_mp4_is_refused():
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as output:
        sound = output.add_stream("aac", rate=48000)
        sound.layout = "mono"
        frame = av.AudioFrame(format=sound.codec_context.format.name, layout="mono", samples=1024)
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        frame.sample_rate, frame.pts = 48000, 0
        output.mux(sound.encode(frame))
        output.mux(sound.encode(None))
    with pytest.raises(ValidationError):
        process_video(upload(buffer.getvalue()))


def test_a_video_over_the_size_cap_is_refused_before_it_is_read():
    too_big = SimpleUploadedFile("big.mp4", clip() + b"\x00" * (VIDEO_MAX_BYTES + 1 - len(clip())))
    assert too_big.size == VIDEO_MAX_BYTES + 1
    with pytest.raises(ValidationError, match="at most 50 MB") as error:
        process_video(too_big)
    assert error.value.code == "too_big"


def test_a_video_over_two_minutes_is_refused_and_two_minutes_is_fine():
    with pytest.raises(ValidationError, match="at most 2:00 long") as error:
        process_video(upload(clip(seconds=121, fps=1, size=(16, 16))))
    assert error.value.code == "too_long"
    assert process_video(upload(clip(seconds=120, fps=1, size=(16, 16)))).duration <= 120.5


def test_too_many_pixels_are_refused():
    with pytest.raises(ValidationError, match="too large"):
        process_video(upload(clip(size=(64, 48))), max_pixels=64 * 47)


def test_a_temporary_upload_is_read_from_its_path():
    data = clip("webm", "libvpx")
    temporary = TemporaryUploadedFile("clip.webm", "video/webm", len(data), None)
    temporary.write(data)
    temporary.seek(0)
    assert process_video(temporary).content_type == "video/webm"


def test_the_form_field():
    field = VideoUploadField(required=False)
    assert field.clean(None) is None
    assert field.clean(upload(clip())).content_type == "video/mp4"
    assert "MP4 or WebM" in str(field.help_text)
    assert format_duration(125.2) == "2:05"


def test_check_video_reads_the_header_and_decodes_no_frame(monkeypatch):
    data = clip(seconds=2, size=(64, 48))

    def never(*args, **kwargs):
        raise AssertionError("decoded a frame")

    monkeypatch.setattr(av.container.InputContainer, "decode", never)
    checked = check_video(upload(data))
    assert (checked.kind, checked.width, checked.height, checked.size) == ("mp4", 64, 48, len(data))
    assert 1.5 < checked.declared_seconds < 2.5
    assert checked.upload.read() == data  # rewound and open, to be stored for the worker


def test_check_video_refuses_from_the_header():
    with pytest.raises(ValidationError, match="not an MP4 or WebM"):
        check_video(upload(b"<html>" * 100))
    with pytest.raises(ValidationError, match="at most 2:00 long") as error:
        check_video(upload(clip(seconds=121, fps=1, size=(16, 16))))
    assert error.value.code == "too_long"
    with pytest.raises(ValidationError, match="too large"):
        check_video(upload(clip(size=(64, 48))), max_pixels=64 * 47)
    with pytest.raises(ValidationError, match="damaged"):
        check_video(upload(clip()[:200]))


def test_process_video_takes_a_checked_video():
    processed = process_video(check_video(upload(clip("webm", "libvpx"), "clip.webm")))
    assert processed.content_type == "video/webm" and processed.poster.width == 32


def test_the_form_field_without_decoding_hands_over_the_checked_video():
    field = VideoUploadField(required=False, decode=False)
    assert isinstance(field.clean(upload(clip())), CheckedVideo)
