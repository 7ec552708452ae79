// Messaging: the composer (Enter sends, Shift+Enter for a new line, attachment previews), saved
// replies, live thread upkeep (no duplicates, "Seen" when a pushed message is read, scrolling)
// and the contact form's custom-order fields. A static file: the CSP allows no inline script.
(function () {
  "use strict";
  var MAX_FILES = 5;
  var MAX_BYTES = 10 * 1024 * 1024;

  function threadPage() { return document.querySelector(".thread-page"); }
  function scroller() { return document.getElementById("thread-scroll"); }
  function nearBottom(el) { return el.scrollHeight - el.scrollTop - el.clientHeight < 120; }
  function toBottom() { var el = scroller(); if (el) { el.scrollTop = el.scrollHeight; } }

  // Enter sends; Shift+Enter (or an input method composing text) makes a new line.
  document.addEventListener("keydown", function (event) {
    var el = event.target;
    if (!el.matches || !el.matches("textarea[data-composer]") || !el.form || !el.form.matches(".composer")) { return; }
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      if (el.value.trim() || hasFiles(el.form)) { el.form.requestSubmit(); }
    }
  });

  function hasFiles(form) {
    var input = form.querySelector("input[type=file][data-attachments]");
    return !!(input && input.files && input.files.length);
  }

  // Attachment previews: a thumbnail (data: URL, allowed by the CSP) or the file name, with a
  // remove button; more than five files or one over 10 MB is flagged before sending.
  function renderPreviews(input) {
    var list = document.getElementById(input.getAttribute("data-previews") || "");
    if (!list) { return; }
    list.textContent = "";
    var files = Array.prototype.slice.call(input.files || []);
    files.forEach(function (file, index) {
      var item = document.createElement("li");
      item.className = "attachment-preview border rounded-2 p-1 d-flex align-items-center gap-2 small";
      if (file.size > MAX_BYTES) { item.classList.add("border-danger"); }
      if (/^image\/(jpeg|png|webp|gif)$/.test(file.type) && file.size <= MAX_BYTES) {
        var img = document.createElement("img");
        img.alt = "";
        img.className = "attachment-thumb rounded-1";
        var reader = new FileReader();
        reader.onload = function () { img.src = reader.result; };
        reader.readAsDataURL(file);
        item.appendChild(img);
      } else {
        var icon = document.createElement("i");
        icon.className = "bi bi-file-earmark" + (file.type === "application/pdf" ? "-pdf" : "");
        icon.setAttribute("aria-hidden", "true");
        item.appendChild(icon);
      }
      var name = document.createElement("span");
      name.className = "text-truncate attachment-name";
      name.textContent = file.name + (file.size > MAX_BYTES ? " (over 10 MB)" : "");
      item.appendChild(name);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "btn-close btn-sm";
      remove.setAttribute("aria-label", "Remove " + file.name);
      remove.addEventListener("click", function () { removeFile(input, index); });
      item.appendChild(remove);
      list.appendChild(item);
    });
    if (files.length > MAX_FILES) {
      var warning = document.createElement("li");
      warning.className = "text-danger small w-100";
      warning.setAttribute("role", "alert");
      warning.textContent = "Attach at most " + MAX_FILES + " files to one message.";
      list.appendChild(warning);
    }
  }

  function removeFile(input, index) {
    if (typeof DataTransfer === "undefined") { return; }
    var kept = new DataTransfer();
    Array.prototype.forEach.call(input.files, function (file, i) { if (i !== index) { kept.items.add(file); } });
    input.files = kept.files;
    renderPreviews(input);
  }

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("input[type=file][data-attachments]")) { renderPreviews(el); }
    if (el.matches && el.matches("select[name=type]")) { toggleCustomFields(el); }
  });

  // Saved replies: insert the text at the cursor of the composer.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-insert-reply]");
    if (!button) { return; }
    var box = document.querySelector("textarea[data-composer]");
    if (!box) { return; }
    var text = button.getAttribute("data-insert-reply");
    var start = box.selectionStart || 0, end = box.selectionEnd || 0;
    box.value = box.value.slice(0, start) + text + box.value.slice(end);
    box.focus();
    box.selectionStart = box.selectionEnd = start + text.length;
  });

  // A status change (a reply, another team member) pushes the header badge: the sidebar's select
  // follows it, so both read the same.
  document.addEventListener("htmx:load", function (event) {
    var el = event.detail && event.detail.elt;
    if (!el || el.id !== "conversation-status") { return; }
    var select = document.getElementById("thread-status");
    if (select && el.getAttribute("data-status")) { select.value = el.getAttribute("data-status"); }
  });

  // Live items arrive twice at times (the sender's own response and the push): keep one.
  // data-live-item="first" keeps the one already there; "newest" keeps the new one (inbox rows
  // move to the top). A row pushed into the hidden #inbox-updates changes the row in place if
  // the page shows it, and is dropped if not (an out-of-band swap with no target would log an
  // error).
  document.addEventListener("htmx:load", function (event) {
    var el = event.detail && event.detail.elt;
    if (!el || !el.id || !el.hasAttribute || !el.hasAttribute("data-live-item")) { return; }
    var twins = document.querySelectorAll("#" + CSS.escape(el.id));
    if (el.parentElement && el.parentElement.id === "inbox-updates") {
      var shown = Array.prototype.filter.call(twins, function (other) { return other !== el; });
      if (shown.length) { shown[0].replaceWith(el); keepIfMatching(el); } else { el.remove(); }
      return;
    }
    var inList = el.parentElement && el.parentElement.id === "inbox-list";
    if (twins.length > 1) {
      if (el.getAttribute("data-live-item") === "newest") {
        twins.forEach(function (other) { if (other !== el) { other.remove(); } });
      } else if (twins[0] !== el) {
        el.remove();
      }
    }
    if (inList) { keepIfMatching(el); }
  });

  // A filtered inbox (data-live-filters on #inbox-list: store, status, type, unread, assigned)
  // keeps a pushed row only while it matches, so a thread assigned to me appears in "Assigned to
  // me" and leaves it when given to someone else. The empty state follows the list.
  function matchesFilters(row, list) {
    var f = list.dataset, r = row.dataset;
    if (f.filterStore && r.store !== f.filterStore) { return false; }
    if (f.filterStatus ? r.status !== f.filterStatus : r.status === "archived") { return false; }
    if (f.filterType && r.type !== f.filterType) { return false; }
    if (f.filterUnread && !(parseInt(r.unread || "0", 10) > 0)) { return false; }
    if (f.filterAssigned === "me" && r.assignee !== f.viewer) { return false; }
    if (f.filterAssigned === "none" && r.assignee) { return false; }
    return true;
  }

  function keepIfMatching(row) {
    var list = document.getElementById("inbox-list");
    if (!list || !list.contains(row)) { return; }
    if (list.hasAttribute("data-live-filters") && !matchesFilters(row, list)) { row.remove(); }
    var empty = document.getElementById("inbox-empty");
    if (empty) { empty.classList.toggle("d-none", list.querySelector(".inbox-row") !== null); }
  }

  // A new message in the open thread: scroll to it, and if it is the other side's and the tab
  // is visible, tell the server it was read (the writer sees "Seen").
  var readPending = false, readTimer = null;
  document.addEventListener("htmx:load", function (event) {
    var el = event.detail && event.detail.elt;
    if (el && el.classList && el.classList.contains("msg") && document.body.contains(el)) { arrived(el); }
  });

  function arrived(el) {
    var page = threadPage(), box = scroller();
    if (!page || !box || el.getAttribute("data-counted")) { return; }
    el.setAttribute("data-counted", "1");
    var all = document.querySelectorAll("#thread-messages > .msg");
    if (all[all.length - 1] !== el) { return; }  // "Load earlier" inserts above: not a new arrival
    var mine = el.getAttribute("data-side") === page.getAttribute("data-viewer");
    if (mine || nearBottom(box) || box.scrollHeight - el.offsetHeight - box.scrollTop - box.clientHeight < 160) { toBottom(); }
    if (!mine) { readPending = true; flushRead(); }
  }

  function flushRead() {
    if (!readPending || document.visibilityState !== "visible") { return; }
    var page = threadPage();
    if (!page || !window.htmx) { return; }
    clearTimeout(readTimer);
    readTimer = setTimeout(function () {
      readPending = false;
      window.htmx.ajax("POST", page.getAttribute("data-read-url"), { source: page, swap: "none" });
    }, 300);
  }
  document.addEventListener("visibilitychange", flushRead);

  // After sending, the fresh composer takes the focus back.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "message-form" || (event.detail.elt && event.detail.elt.id === "message-form")) {
      var box = document.getElementById("message-content");
      if (box) { box.focus(); }
    }
  });

  // The contact form shows the custom-order fields only for a custom order request.
  function toggleCustomFields(select) {
    var form = select.form;
    if (!form) { return; }
    form.querySelectorAll("[data-show-for-type]").forEach(function (el) {
      el.hidden = el.getAttribute("data-show-for-type") !== select.value;
    });
  }

  function init() {
    toBottom();
    var select = document.querySelector(".contact-form select[name=type]");
    if (select) { toggleCustomFields(select); }
    document.querySelectorAll("input[type=file][data-attachments]").forEach(function (input) {
      if (input.files && input.files.length) { renderPreviews(input); }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
