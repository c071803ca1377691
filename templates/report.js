// gaps report: small progressive enhancements. The page is complete without this script.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  var main = document.getElementById("main");
  if (main) {
    var bar = document.createElement("div");
    bar.className = "tools";
    [["Expand all", true], ["Collapse all", false]].forEach(function (pair) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = pair[0];
      b.addEventListener("click", function () {
        document.querySelectorAll("details").forEach(function (d) { d.open = pair[1]; });
      });
      bar.appendChild(b);
    });
    main.insertBefore(bar, main.firstChild);
  }
  // Printing shows everything, including collapsed details.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
  root.setAttribute("data-gaps-report", "ready");
})();
