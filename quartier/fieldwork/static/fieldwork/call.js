// The call page: the location bar shows the call's own address (the page may be the answer to "Next
// contact", posted to the phone bank, so a reload asks for this call again instead of posting twice),
// and the call-back date and time are offered only with "Come back later" (cleared otherwise).
(function () {
  "use strict";
  var form = document.getElementById("result-form");
  if (!form) return;
  var url = form.dataset.callUrl;
  if (url && window.location.pathname !== url && window.history && window.history.replaceState) {
    window.history.replaceState(null, "", url);
  }
  var callback = document.getElementById("callback");
  if (!callback) return;
  var hasError = !!callback.querySelector(".errorlist");

  function update() {
    var outcome = form.querySelector("input[name=outcome]:checked");
    var later = !!outcome && outcome.value === "come_back_later";
    callback.hidden = !later && !hasError;
    if (!later && !hasError) {
      callback.querySelectorAll("input").forEach(function (input) { input.value = ""; });
    }
  }

  form.addEventListener("change", function (event) {
    if (event.target && event.target.name === "outcome") hasError = false;
    update();
  });
  update();
})();
