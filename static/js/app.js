/* Small behaviours of every page, bound from data- attributes (no inline scripts: see the CSP).
 *   data-print            a button that prints the page
 *   data-history-back     a link that goes back one page (its href is where to go without history)
 *   data-scroll-active    a row of tabs that brings its .active tab into view (on a phone)
 */
(function () {
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) { return; }
    if (target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
      return;
    }
    var back = target.closest("[data-history-back]");
    if (back && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });
  /* once fonts and icons have their width */
  window.addEventListener("load", function () {
    document.querySelectorAll("[data-scroll-active]").forEach(function (tabs) {
      var active = tabs.querySelector(".active");
      if (active) { active.scrollIntoView({ block: "nearest", inline: "center" }); }
    });
  });
})();
