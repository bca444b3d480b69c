// "Get a list near me": send the phone's position when the volunteer allows it, else the profile's.
(function () {
  "use strict";
  var form = document.getElementById("near-me");
  if (!form || !navigator.geolocation) return;
  var asked = false;
  form.addEventListener("submit", function (event) {
    if (asked) return;
    event.preventDefault();
    asked = true;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        form.elements.latitude.value = String(position.coords.latitude);
        form.elements.longitude.value = String(position.coords.longitude);
        form.submit();
      },
      function () { form.submit(); },
      { timeout: 8000, maximumAge: 600000 }
    );
  });
})();
