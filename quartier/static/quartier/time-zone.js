// Tells the server the visitor's time zone (an IANA name such as "America/Toronto"), so that online
// events show their times in it. A first-party cookie only, read by the server; nothing is sent elsewhere.
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  if (!zone || zone.length > 64) return;
  var value = encodeURIComponent(zone);
  var current = document.cookie.split("; ").filter(function (cookie) {
    return cookie.indexOf("quartier_tz=") === 0;
  })[0];
  if (current === "quartier_tz=" + value) return;
  document.cookie = "quartier_tz=" + value + "; path=/; max-age=31536000; SameSite=Lax" +
    (window.location.protocol === "https:" ? "; Secure" : "");
})();
