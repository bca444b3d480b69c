// The compose page's live length of each language's text, framed as it is sent (the campaign's name
// first, the STOP line last): characters and SMS segments, as `outreach/sms_text.py` counts them.
// A form marked `data-once` is sent once: its buttons are disabled after the first submission.
(function () {
  "use strict";
  var BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡" +
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var EXTENDED = "^{}\\[~]|€\f";

  function length(text) {
    var gsm = true, units = 0, i, ch;
    for (i = 0; i < text.length; i += 1) {
      ch = text.charAt(i);
      if (EXTENDED.indexOf(ch) >= 0) { units += 2; }
      else if (BASIC.indexOf(ch) >= 0) { units += 1; }
      else { gsm = false; break; }
    }
    if (!gsm) {
      units = text.length; // UTF-16 code units, as JavaScript strings count them
      return { encoding: "UCS-2", units: units, segments: units === 0 ? 0 : units <= 70 ? 1 : Math.ceil(units / 67) };
    }
    return { encoding: "GSM-7", units: units, segments: units === 0 ? 0 : units <= 160 ? 1 : Math.ceil(units / 153) };
  }

  function textFor(code) {
    var own = document.querySelector('textarea[data-sms-language="' + code + '"]');
    var first = document.querySelector("textarea[data-sms-language]");
    var words = own && own.value.trim() ? own.value : (first ? first.value : "");
    return words.trim();
  }

  function update() {
    var counters = document.querySelectorAll("[data-sms-counter]");
    Array.prototype.forEach.call(counters, function (counter) {
      var code = counter.getAttribute("data-sms-counter");
      var text = counter.getAttribute("data-before") + textFor(code) + counter.getAttribute("data-after");
      var size = length(text);
      counter.textContent = counter.getAttribute("data-words")
        .replace("{chars}", String(size.units))
        .replace("{segments}", String(size.segments))
        .replace("{encoding}", size.encoding);
    });
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-sms-language]")) { update(); }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-once]")) { return; }
    if (form.getAttribute("data-sent") === "yes") { event.preventDefault(); return; }
    if (event.submitter && event.submitter.value === "send") { form.setAttribute("data-sent", "yes"); }
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", update);
  } else {
    update();
  }
}());
