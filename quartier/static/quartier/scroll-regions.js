// A box that scrolls sideways (a wide table on a phone) must be reachable with the keyboard, or its
// hidden columns are out of reach: each one that overflows becomes focusable (arrow keys scroll it)
// and is named after its table's caption or its section's heading. Boxes that fit are left alone.
(function () {
  "use strict";

  var CANDIDATES = "table, .table-wrap, .table-scroll, [data-scroll-region]";

  function nameOf(box) {
    var table = box.tagName === "TABLE" ? box : box.querySelector("table");
    var caption = table && table.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var section = box.closest("section, article, main");
    var heading = section && section.querySelector("h1, h2, h3, h4");
    return heading ? heading.textContent.trim() : "";
  }

  function update(box) {
    var scrolls = box.scrollWidth > box.clientWidth + 1 && getComputedStyle(box).overflowX !== "visible";
    if (scrolls && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("data-made-focusable", "");
      if (box.tagName !== "TABLE" && !box.hasAttribute("role")) {
        var name = nameOf(box);
        if (name) {
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", name);
        }
      }
    } else if (!scrolls && box.hasAttribute("data-made-focusable")) {
      box.removeAttribute("tabindex");
      box.removeAttribute("data-made-focusable");
    }
  }

  function scan() {
    Array.prototype.forEach.call(document.querySelectorAll(CANDIDATES), update);
  }

  var pending = null;
  function scanSoon() {
    if (pending) clearTimeout(pending);
    pending = setTimeout(scan, 100);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
  else scan();
  window.addEventListener("resize", scanSoon);
  document.addEventListener("htmx:afterSettle", scan);
})();
