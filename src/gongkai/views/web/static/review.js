/* Reviewing in bulk: "tick all" on a rule's findings, the scope following what is ticked.
   The forms work without this file (scope chosen by hand). */
(function () {
  "use strict";
  document.querySelectorAll("form.bulk-list").forEach(function (form) {
    var all = form.querySelector("input[data-tick-all]");
    var boxes = form.querySelectorAll("input[type=checkbox][name=f]");
    var selected = form.querySelector("input[name=scope][value=selected]");
    var filtered = form.querySelector("input[name=scope][value=filter]");
    var count = form.querySelector("[data-ticked]");
    function update() {
      var n = 0;
      boxes.forEach(function (b) { if (b.checked) n += 1; });
      if (count) count.textContent = String(n);
      if (selected && filtered) {
        if (n) selected.checked = true; else filtered.checked = true;
      }
      if (all) all.checked = n > 0 && n === boxes.length;
    }
    if (all) all.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
      update();
    });
    boxes.forEach(function (b) { b.addEventListener("change", update); });
    update();
  });
})();
