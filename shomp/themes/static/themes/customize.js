// The Customize page's live preview. After each saved edit, the HTMX answer carries
// #preview-state (the draft's stylesheet address, the container's layout classes, the banner).
// Swap only what changed inside the preview frame (same origin): the stylesheet <link> (the new
// one is added, and the old removed once the new has loaded, so nothing flashes unstyled) and the
// container's classes. A banner change, or a frame not loaded yet, reloads the whole frame.
(function () {
  "use strict";

  function frameDocument(frame) {
    try {
      const doc = frame.contentDocument;
      return doc && doc.readyState === "complete" && doc.getElementById("store-theme") ? doc : null;
    } catch (error) {
      return null;
    }
  }

  function reload(frame, url) {
    if (url) frame.src = url;
  }

  function apply(state) {
    const frame = document.querySelector("iframe.preview-frame");
    if (!frame || !state) return;
    const data = state.dataset;
    const doc = frameDocument(frame);
    if (!doc) return reload(frame, data.frameUrl);
    const container = doc.getElementById("store-theme");
    const banner = doc.querySelector(".store-banner img");
    if ((banner ? banner.getAttribute("src") : "") !== (data.bannerUrl || "")) return reload(frame, data.frameUrl);
    const links = doc.querySelectorAll("link[data-store-theme]");
    const current = links[links.length - 1];
    if (!current) return reload(frame, data.frameUrl);
    container.className = data.classes;
    if (current.getAttribute("href") === data.cssUrl) return;
    const next = doc.createElement("link");
    next.rel = "stylesheet";
    next.href = data.cssUrl;
    next.setAttribute("data-store-theme", "");
    next.addEventListener("load", function () {
      doc.querySelectorAll("link[data-store-theme]").forEach(function (link) {
        if (link !== next) link.remove();
      });
      doc.documentElement.setAttribute("data-preview-version", data.version);
    });
    next.addEventListener("error", function () { reload(frame, data.frameUrl); });
    current.after(next);
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    const target = event.detail && event.detail.target;
    if (target && target.id === "customize-feedback") apply(document.getElementById("preview-state"));
  });
})();
