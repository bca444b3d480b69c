// "Add a shift" on the event form: clone the formset's empty form with the next index.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("add-shift");
    var template = document.getElementById("shift-template");
    var total = document.getElementById("id_shifts-TOTAL_FORMS");
    var container = document.getElementById("shift-forms");
    if (!button || !template || !total || !container) return;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var wrapper = document.createElement("div");
      wrapper.innerHTML = html;
      var form = wrapper.firstElementChild;
      container.appendChild(form);
      total.value = String(index + 1);
      var first = form.querySelector("input");
      if (first) first.focus();
    });
  });
})();
