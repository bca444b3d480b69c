// Copy buttons beside read-only links (templates/_copy_field.html): the Clipboard API where the
// page is a secure context, else the input's selection and the older copy command.
(function () {
  "use strict";

  function say(button, text) {
    var status = document.getElementById(button.getAttribute("data-copy-target") + "-status");
    if (status) status.textContent = text;
  }

  function fallbackCopy(input) {
    input.focus();
    input.select();
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  function copy(button) {
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    if (!input) return;
    var done = function () { say(button, button.getAttribute("data-copied")); };
    var failed = function () {
      if (fallbackCopy(input)) done();
      else say(button, button.getAttribute("data-copy-failed"));
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, failed);
    } else {
      failed();
    }
  }

  function init() {
    var buttons = document.querySelectorAll("button[data-copy-target]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { copy(button); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
