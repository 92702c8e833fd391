// The knowledge base's search page: Pagefind's index of this site (built at publish time,
// Russian stemming), queried in the browser. No network beyond this site.
(function () {
  "use strict";
  var script = document.currentScript;
  var root = new URL(script.getAttribute("data-root") || "./", window.location.href);
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-input");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  if (!form || !input || !list) return;
  var pagefind = null;
  var seq = 0;

  function load() {
    if (!pagefind) {
      pagefind = import(new URL("pagefind/pagefind.js", root).href).then(function (pf) {
        return pf.options({ baseUrl: root.pathname }).then(function () { return pf; });
      });
    }
    return pagefind;
  }

  function item(data) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = data.url;
    a.textContent = (data.meta && data.meta.title) || data.url;
    var p = document.createElement("p");
    // Pagefind escapes the page's text and marks the matched words with <mark>.
    p.innerHTML = data.excerpt;
    li.appendChild(a);
    li.appendChild(p);
    return li;
  }

  function run(query) {
    var mine = ++seq;
    query = query.trim();
    list.textContent = "";
    if (!query) {
      status.textContent = "Введите слово или вопрос: поиск учитывает разные формы слов.";
      return;
    }
    status.textContent = "Ищем…";
    load()
      .then(function (pf) { return pf.search(query); })
      .then(function (search) {
        return Promise.all(search.results.slice(0, 10).map(function (r) { return r.data(); }));
      })
      .then(function (results) {
        if (mine !== seq) return;
        results.forEach(function (data) { list.appendChild(item(data)); });
        status.textContent = results.length
          ? "Найдено статей: " + results.length
          : "Ничего не нашлось. Попробуйте другое слово или напишите обращение в поддержку.";
      })
      .catch(function () {
        if (mine !== seq) return;
        status.textContent = "Поиск сейчас недоступен: откройте нужный раздел.";
      });
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { run(input.value); }, 200);
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var url = new URL(window.location.href);
    url.searchParams.set("q", input.value);
    window.history.replaceState(null, "", url.href);
    run(input.value);
  });
  var q = new URL(window.location.href).searchParams.get("q");
  if (q) {
    input.value = q;
    run(q);
  }
})();
