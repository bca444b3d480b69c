// The canvass page: one door at a time, one-tap results, kept in local storage and sent with an
// idempotency key each (so a result sent twice is recorded once). Works offline: the service worker
// keeps the page, this script keeps the results until the server has them. Names and addresses are
// user data: set as textContent, never parsed as HTML.
(function () {
  "use strict";

  var root = document.getElementById("canvass");
  var dataScript = document.getElementById("canvass-data");
  if (!root || !dataScript) return;
  var data = JSON.parse(dataScript.textContent);
  var text = document.getElementById("canvass-text").dataset;
  var storageKey = "quartier.canvass." + data.list;
  var state = load();
  var selectedOutcome = null;
  var selectedTarget = null;
  var answers = {};
  var lastPosition = null;
  var syncing = false;

  function load() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(storageKey) || "null");
      if (saved && Array.isArray(saved.pending) && typeof saved.done === "object") return saved;
    } catch (error) {
      // A broken entry is replaced below.
    }
    return { pending: [], done: {}, index: 0 };
  }

  function save() {
    window.localStorage.setItem(storageKey, JSON.stringify(state));
    document.getElementById("pending-count").textContent = String(state.pending.length);
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  }

  function isDone(person) {
    return Boolean(state.done[person.target]) || (person.status !== "queued" && !state.done[person.target]);
  }

  function doorDone(door) {
    return door.people.every(isDone);
  }

  function outcomeLabel(value) {
    var found = data.script.outcomes.filter(function (o) { return o.value === value; })[0];
    return found ? found.label : value;
  }

  // --- the survey, with branching: an answer may say which question comes next (0: the end) ---
  function questionPath() {
    var questions = data.script.questions;
    var byPosition = {};
    questions.forEach(function (q) { byPosition[q.position] = q; });
    var path = [];
    var current = questions.length ? questions[0] : null;
    var guard = 0;
    while (current && guard++ < 100) {
      path.push(current);
      var answer = answers[current.id];
      if (answer === undefined || (Array.isArray(answer) && !answer.length)) break;
      var chosen = current.choices.filter(function (c) {
        return Array.isArray(answer) ? answer.indexOf(c.value) >= 0 : c.value === answer;
      })[0];
      var next = chosen && chosen.next !== null && chosen.next !== undefined ? chosen.next : null;
      if (next === 0) break;
      if (next !== null) {
        current = byPosition[next] || null;
      } else {
        var index = questions.indexOf(current);
        current = questions[index + 1] || null;
      }
    }
    return path;
  }

  // The survey follows the outcome: it is asked only of someone reached.
  function surveyed() {
    return (data.script.survey_outcomes || []).indexOf(selectedOutcome) >= 0;
  }

  function renderQuestions() {
    var box = document.getElementById("questions");
    box.textContent = "";
    box.hidden = !surveyed();
    if (box.hidden) return;
    questionPath().forEach(function (question) {
      var fieldset = el("fieldset", "question");
      fieldset.appendChild(el("legend", "", question.text));
      if (question.kind === "text") {
        var area = el("textarea");
        area.rows = 2;
        area.maxLength = 500;
        area.value = answers[question.id] || "";
        area.addEventListener("change", function () { answers[question.id] = area.value; });
        fieldset.appendChild(area);
      } else {
        var buttons = el("div", "tap-buttons");
        question.choices.forEach(function (choice) {
          var button = el("button", "secondary", choice.label);
          button.type = "button";
          var current = answers[question.id];
          var pressed = Array.isArray(current) ? current.indexOf(choice.value) >= 0 : current === choice.value;
          button.setAttribute("aria-pressed", pressed ? "true" : "false");
          button.addEventListener("click", function () {
            if (question.kind === "multiple") {
              var list = Array.isArray(answers[question.id]) ? answers[question.id] : [];
              var at = list.indexOf(choice.value);
              if (at >= 0) list.splice(at, 1); else list.push(choice.value);
              answers[question.id] = list;
            } else {
              answers[question.id] = choice.value;
            }
            renderQuestions();
          });
          buttons.appendChild(button);
        });
        fieldset.appendChild(buttons);
      }
      box.appendChild(fieldset);
    });
  }

  function renderOutcomes() {
    var box = document.getElementById("outcome-buttons");
    box.textContent = "";
    data.script.outcomes.forEach(function (outcome) {
      var button = el("button", "secondary outcome", outcome.label);
      button.type = "button";
      button.dataset.outcome = outcome.value;
      button.setAttribute("aria-pressed", selectedOutcome === outcome.value ? "true" : "false");
      button.addEventListener("click", function () {
        selectedOutcome = outcome.value;
        renderOutcomes();
        renderQuestions();
      });
      box.appendChild(button);
    });
  }

  // The script's merge fields, as on the call page (queries.merge_script): {{ first_name }} is the
  // person's at the door, {{ volunteer_first_name }} the volunteer's; unknown fields stay as written.
  // Set as textContent: nothing here is read as HTML.
  function mergeScript(textIn, person) {
    var values = { first_name: person ? person.first_name || "" : "", volunteer_first_name: data.volunteer_first_name || "" };
    return String(textIn || "").replace(/\{\{\s*(\w+)\s*\}\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
    });
  }

  function showIntroduction(person) {
    var intro = document.getElementById("script-intro");
    intro.textContent = mergeScript(data.script.introduction, person);
    intro.hidden = !data.script.introduction;
  }

  function selectPerson(person) {
    selectedTarget = person.target;
    showIntroduction(person);
    selectedOutcome = null;
    answers = {};
    document.getElementById("person-name").textContent = person.name;
    document.getElementById("door-notes").value = "";
    document.getElementById("door-dnc").checked = false;
    document.getElementById("door-action").checked = false;
    document.getElementById("door-form").hidden = false;
    renderOutcomes();
    renderQuestions();
  }

  function renderDoor() {
    var doors = data.doors;
    var doneAll = doors.every(doorDone);
    document.getElementById("list-done").hidden = !doneAll;
    if (!doors.length) return;
    state.index = Math.max(0, Math.min(state.index || 0, doors.length - 1));
    var door = doors[state.index];
    document.getElementById("door").hidden = false;
    document.getElementById("door-address").textContent = door.address;
    document.getElementById("door-town").textContent = [door.town, door.postal_code].filter(Boolean).join(" ");
    document.getElementById("door-position").textContent =
      text.door + " " + (state.index + 1) + " " + text.of + " " + doors.length;
    var list = document.getElementById("door-people");
    list.textContent = "";
    var firstOpen = null;
    door.people.forEach(function (person) {
      var item = el("li");
      var button = el("button", isDone(person) ? "secondary person done" : "person", person.name);
      button.type = "button";
      button.addEventListener("click", function () { selectPerson(person); });
      item.appendChild(button);
      var outcome = state.done[person.target] || (person.status !== "queued" ? person.last_outcome : "");
      if (outcome) item.appendChild(el("span", "muted", " " + text.done + ": " + outcomeLabel(outcome)));
      list.appendChild(item);
      if (!firstOpen && !isDone(person)) firstOpen = person;
    });
    if (firstOpen) selectPerson(firstOpen); else document.getElementById("door-form").hidden = true;
    save();
  }

  function saveResult() {
    if (!selectedOutcome) {
      window.alert(text.choose);
      return;
    }
    var result = {
      key: newKey(),
      target: selectedTarget,
      outcome: selectedOutcome,
      answers: surveyed() ? answers : {},
      notes: document.getElementById("door-notes").value,
      do_not_contact: document.getElementById("door-dnc").checked,
      needs_action: document.getElementById("door-action").checked,
      recorded_at: new Date().toISOString(),
    };
    if (lastPosition && document.getElementById("share-position").checked) {
      result.latitude = lastPosition.latitude;
      result.longitude = lastPosition.longitude;
    }
    state.pending.push(result);
    state.done[selectedTarget] = selectedOutcome;
    var door = data.doors[state.index];
    if (doorDone(door) && state.index < data.doors.length - 1) state.index += 1;
    save();
    renderDoor();
    sync();
  }

  function showConnection() {
    document.getElementById("connection").textContent = navigator.onLine ? text.online : text.offline;
  }

  function sync() {
    showConnection();
    if (syncing || !state.pending.length || !navigator.onLine) return;
    syncing = true;
    var sending = state.pending.slice(0, 100);
    fetch(data.sync_url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": root.dataset.csrf },
      body: JSON.stringify({ token: data.token, results: sending }),
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (reply) {
        var answered = {};
        (reply.results || []).forEach(function (item) {
          if (item.key) answered[item.key] = item.status;
          if (item.status === "conflict") root.dataset.lastConflict = text.conflict;
        });
        state.pending = state.pending.filter(function (result) { return !answered[result.key]; });
        save();
      })
      .catch(function () {
        // Offline or the server is away: the results stay in local storage for the next try.
      })
      .then(function () {
        syncing = false;
        showConnection();
      });
  }

  document.getElementById("save-result").addEventListener("click", saveResult);
  document.getElementById("next-door").addEventListener("click", function () {
    if (state.index < data.doors.length - 1) state.index += 1;
    renderDoor();
  });
  document.getElementById("previous-door").addEventListener("click", function () {
    if (state.index > 0) state.index -= 1;
    renderDoor();
  });
  document.getElementById("share-position").addEventListener("change", function (event) {
    if (event.target.checked && navigator.geolocation) {
      navigator.geolocation.watchPosition(function (position) {
        lastPosition = { latitude: position.coords.latitude, longitude: position.coords.longitude };
      }, function () {}, { enableHighAccuracy: true, maximumAge: 30000 });
    }
  });
  // --- shared phones: signing out leaves no list behind ---
  // The sign-out response carries Clear-Site-Data; this also works where that header is not honoured.
  // Results not yet sent are sent first: the outbox is dropped once the server has them (or when the
  // volunteer, warned, signs out anyway).
  function forgetEverything() {
    Object.keys(window.localStorage).forEach(function (key) {
      if (key.indexOf("quartier.canvass.") === 0) window.localStorage.removeItem(key);
    });
    var done = [];
    if (window.caches) {
      done.push(window.caches.keys().then(function (keys) {
        return Promise.all(keys.map(function (key) { return window.caches.delete(key); }));
      }));
    }
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "forget" });
    }
    return Promise.all(done).catch(function () {});
  }

  function sendAll() {
    if (!state.pending.length || !navigator.onLine) return Promise.resolve();
    return fetch(data.sync_url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": root.dataset.csrf },
      body: JSON.stringify({ token: data.token, results: state.pending.slice(0, 500) }),
    }).then(function (response) {
      return response.ok ? response.json() : { results: [] };
    }).then(function (reply) {
      var answered = {};
      (reply.results || []).forEach(function (item) { if (item.key) answered[item.key] = true; });
      state.pending = state.pending.filter(function (result) { return !answered[result.key]; });
      save();
    }).catch(function () {});
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-sign-out]"), function (form) {
    var leaving = false;
    form.addEventListener("submit", function (event) {
      if (leaving) return;
      event.preventDefault();
      sendAll().then(function () {
        if (state.pending.length && !window.confirm(text.unsent)) return;
        return forgetEverything().then(function () {
          leaving = true;
          form.submit();
        });
      });
    });
  });

  window.addEventListener("online", sync);
  window.addEventListener("offline", showConnection);
  window.setInterval(sync, 15000);
  // --- offline from the first visit ---
  // A page loaded before its service worker was running was not seen by it: once the worker is
  // active, the page asks it to keep this address and the assets the page loaded ("keep"), and says
  // so when they are kept. A page the worker served (controlled) is already kept by its fetch handler.
  function offlineReady() {
    root.dataset.offlineReady = "true";
    document.getElementById("offline-ready").hidden = false;
  }

  // Read at load: a worker that takes control later (clients.claim) did not see this page arrive.
  var servedByWorker = Boolean(navigator.serviceWorker && navigator.serviceWorker.controller);

  function keepForOffline(registration) {
    if (servedByWorker) {
      offlineReady();
      return;
    }
    if (!navigator.onLine || !registration.active) return;
    var here = window.location.href.split("#")[0];
    var urls = [here];
    (window.performance && window.performance.getEntriesByType ? window.performance.getEntriesByType("resource") : [])
      .forEach(function (entry) {
        if (entry.initiatorType !== "fetch" && entry.initiatorType !== "xmlhttprequest" && urls.indexOf(entry.name) < 0) {
          urls.push(entry.name);
        }
      });
    var channel = new MessageChannel();
    channel.port1.onmessage = function (event) {
      if (event.data && event.data.type === "kept") offlineReady();
    };
    registration.active.postMessage({ type: "keep", urls: urls }, [channel.port2]);
  }

  if ("serviceWorker" in navigator && root.dataset.serviceWorker) {
    navigator.serviceWorker.register(root.dataset.serviceWorker, { scope: "/fieldwork/" }).catch(function () {});
    navigator.serviceWorker.ready.then(keepForOffline).catch(function () {});
  }
  showIntroduction(null);
  renderDoor();
  sync();
})();
