// The new-ticket form's knowledge-base suggestions (SPEC §2.8), a progressive enhancement:
// without this script the form works as before. As the dealer types the title or the text,
// the form asks GET /api/kb/suggest (debounced) and lists the articles under the form's
// [data-kb-suggest] box, each linking through /kb-suggest/open/<slug>?form=<form id> (which
// records the opening for deflection) to the knowledge-base page, with «Не нашли ответ?
// Отправьте обращение» underneath. Opening one marks the form (kb_opened), so a ticket filed
// from it afterwards counts as not deflected.
(function () {
  "use strict";
  var box = document.querySelector("[data-kb-suggest]");
  if (!box || !window.fetch) { return; }
  var form = box.closest("form");
  var title = form.querySelector("[name=title]");
  var text = form.querySelector("[name=text]");
  var formId = form.querySelector("[name=form_id]");
  var opened = form.querySelector("[name=kb_opened]");
  var MAX = 1000;
  var timer = null;
  var last = "";
  var seq = 0;

  function query() {
    return (title.value + "\n" + text.value).trim().slice(0, MAX);
  }

  function clear() {
    while (box.firstChild) { box.removeChild(box.firstChild); }
    box.hidden = true;
  }

  function show(items) {
    clear();
    if (!items.length) { return; }
    var heading = document.createElement("p");
    heading.className = "kb-suggest-title";
    heading.textContent = "Возможно, ответ уже есть в базе знаний:";
    box.appendChild(heading);
    var list = document.createElement("ul");
    items.forEach(function (item) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = item.open_url + "?form=" + encodeURIComponent(formId ? formId.value : "");
      a.target = "_blank";
      a.rel = "noopener";
      a.textContent = item.title;
      a.addEventListener("click", function () { if (opened) { opened.value = "1"; } });
      li.appendChild(a);
      var snippet = document.createElement("p");
      snippet.className = "kb-snippet";
      item.snippet.forEach(function (part) {
        if (part.mark) {
          var m = document.createElement("mark");
          m.textContent = part.text;
          snippet.appendChild(m);
        } else {
          snippet.appendChild(document.createTextNode(part.text));
        }
      });
      li.appendChild(snippet);
      list.appendChild(li);
    });
    box.appendChild(list);
    var more = document.createElement("p");
    more.className = "kb-suggest-more";
    more.textContent = "Не нашли ответ? Отправьте обращение";
    box.appendChild(more);
    box.hidden = false;
  }

  function ask() {
    var q = query();
    if (q === last) { return; }
    last = q;
    var mine = ++seq;
    if (q.replace(/[^0-9A-Za-zА-Яа-яЁё]/g, "").length < 3) { clear(); return; }
    fetch("/api/kb/suggest?q=" + encodeURIComponent(q), {
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (body) { if (mine === seq) { show(body.items || []); } })
      .catch(function () { /* no suggestions: the form still works */ });
  }

  function later() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(ask, 350);
  }

  title.addEventListener("input", later);
  text.addEventListener("input", later);
  if (query()) { later(); }
})();
