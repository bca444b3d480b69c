// The call page's survey: asked only when the person was reached (the outcome), and then only the
// questions on the path the answers so far lead to. An answer's `next` names the question that follows it (0: the end); otherwise the next question in order.
(function () {
  "use strict";
  var form = document.getElementById("result-form");
  var script = document.getElementById("script-questions");
  if (!form || !script) return;
  var questions = JSON.parse(script.textContent);
  var surveyNode = document.getElementById("survey-outcomes");
  var surveyOutcomes = surveyNode ? JSON.parse(surveyNode.textContent) : [];
  var sets = {};
  form.querySelectorAll("fieldset.question").forEach(function (set) {
    sets[set.dataset.position] = set;
  });

  function answerOf(set) {
    var checked = set.querySelectorAll("input:checked");
    return Array.prototype.map.call(checked, function (input) { return input.value; });
  }

  // The survey follows the outcome: it is asked only of someone reached.
  function surveyed() {
    var outcome = form.querySelector("input[name=outcome]:checked");
    return !!outcome && surveyOutcomes.indexOf(outcome.value) >= 0;
  }

  function update() {
    if (!surveyed()) {
      Object.keys(sets).forEach(function (position) { sets[position].hidden = true; });
      return;
    }
    var byPosition = {};
    questions.forEach(function (q) { byPosition[q.position] = q; });
    var shown = {};
    var current = questions[0];
    var guard = 0;
    while (current && guard++ < 100) {
      shown[current.position] = true;
      var set = sets[current.position];
      var values = set ? answerOf(set) : [];
      if (!values.length) break;
      var chosen = current.choices.filter(function (c) { return values.indexOf(c.value) >= 0; })[0];
      var next = chosen && chosen.next !== null && chosen.next !== undefined ? chosen.next : null;
      if (next === 0) break;
      current = next !== null ? byPosition[next] : questions[questions.indexOf(current) + 1];
    }
    Object.keys(sets).forEach(function (position) {
      sets[position].hidden = !shown[position];
    });
  }

  form.addEventListener("change", update);
  update();
})();
