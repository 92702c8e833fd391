/*
 * DealerDesk lead form script. Include it on a page with a plain HTML form that posts to
 * DealerDesk's /api/leads and carries the site's form id in a hidden "site" field:
 *
 *   <script src="https://<dealerdesk>/static/lead-form.js" defer></script>
 *
 * It fetches a signed form token when the page loads, puts it into the form (hidden field
 * "form_token") and lets the form post as usual. Without the script the form still posts,
 * but without a token it is taken for spam.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.fetch) {
    return;
  }
  var base = new URL(script.src, document.baseURI).origin;

  function setUp(form) {
    var siteField = form.elements.namedItem("site");
    if (!siteField || !siteField.value) {
      return;
    }
    var tokenField = form.elements.namedItem("form_token");
    if (!tokenField) {
      tokenField = document.createElement("input");
      tokenField.type = "hidden";
      tokenField.name = "form_token";
      form.appendChild(tokenField);
    }
    var fetched = fetch(
      base + "/api/leads/form-token?site=" + encodeURIComponent(siteField.value),
      { credentials: "omit", mode: "cors" }
    )
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (body) {
        if (body && body.token) {
          tokenField.value = body.token;
        }
      })
      .catch(function () {});
    var waiting = false;
    form.addEventListener("submit", function (event) {
      if (tokenField.value || waiting) {
        return;
      }
      // The token is still on its way: post the form as soon as it is here.
      event.preventDefault();
      waiting = true;
      fetched.then(function () {
        HTMLFormElement.prototype.submit.call(form);
      });
    });
  }

  function start() {
    var forms = document.querySelectorAll("form");
    for (var i = 0; i < forms.length; i++) {
      var action = forms[i].getAttribute("action") || "";
      if (forms[i].hasAttribute("data-dealerdesk") || /\/api\/leads\/?$/.test(action)) {
        setUp(forms[i]);
      }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
