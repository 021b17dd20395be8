/* Menus that keyboard and screen-reader users can work.

   Material opens its side menu ("drawer") and the sections in it with checkboxes and their
   labels. A label cannot take focus, and says nothing of whether its menu is open: the drawer
   cannot be opened by keyboard at all (Material issue #4101), and "For staff" is read as plain
   text. Here each such label becomes a button that presses the checkbox and says whether its menu
   is expanded. Without this script the labels still work with a mouse, and portal.css keeps the
   closed drawer's links out of the tab order either way.

   The language menu: Material shows it while anything in it has focus, so its button does
   nothing and Escape does not close it. Here the button opens and closes it, with aria-expanded,
   and Escape closes it (WCAG 1.4.13, 4.1.2). */
(function () {
  "use strict";

  var DATA_FOR = "data-for";  /* stands in for the label's "for", which Material's CSS selects on */

  function ensureId(element, id) {
    if (!element.id) { element.id = id; }
    return element.id;
  }

  /* The label, replaced by a button with the same look and content, controlling `controlled`. */
  function buttonFor(label, controlled, name) {
    var checkbox = document.getElementById(label.htmlFor);
    var button = document.createElement("button");
    button.type = "button";
    button.className = label.className + " portal-toggle";
    button.setAttribute(DATA_FOR, label.htmlFor);
    if (label.id) { button.id = label.id; }  /* the nested menu is labelled by it */
    if (name) { button.setAttribute("aria-label", name); }
    button.setAttribute("aria-controls", ensureId(controlled, label.htmlFor + "_menu"));
    while (label.firstChild) { button.appendChild(label.firstChild); }
    function show() { button.setAttribute("aria-expanded", String(checkbox.checked)); }
    button.addEventListener("click", function () { checkbox.click(); });
    checkbox.addEventListener("change", show);
    show();
    label.replaceWith(button);
    return button;
  }

  /* Where the side menu is a drawer that slides over the page (Material's breakpoint). */
  var narrow = window.matchMedia("(max-width: 76.234375em)");

  function drawer() {
    var label = document.querySelector('.md-header label[for="__drawer"]');
    var sidebar = document.querySelector(".md-sidebar--primary");
    var nav = sidebar && sidebar.querySelector(".md-nav--primary");
    if (!label || !nav) { return; }
    var checkbox = document.getElementById("__drawer");
    var button = buttonFor(label, sidebar, nav.getAttribute("aria-label"));  /* "Navigation", translated */
    function close() {
      if (checkbox.checked) { checkbox.click(); }
    }
    checkbox.addEventListener("change", function () {
      var first = nav.querySelector("a[href], button");
      if (checkbox.checked && first) { first.focus(); }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && checkbox.checked) {
        close();
        button.focus();
      }
    });
    /* Tab past the drawer's last link closes it, rather than move focus under it. */
    sidebar.addEventListener("focusout", function (event) {
      if (event.relatedTarget && !sidebar.contains(event.relatedTarget) && event.relatedTarget !== button) {
        close();
      }
    });
  }

  function sections() {
    document.querySelectorAll(".md-nav__item--nested > label.md-nav__link[for]").forEach(function (label) {
      var nav = label.parentElement.querySelector(":scope > .md-nav");
      if (!nav) { return; }
      nav.removeAttribute("aria-expanded");  /* Material puts it on the menu, not its button */
      var title = nav.querySelector(":scope > label.md-nav__title[for]");
      var toggle = buttonFor(label, nav, null);
      if (!title) { return; }
      /* In the drawer a section slides over the menu, and its title is the way back: a button
         too, and focus moves between the two, so it is never left hidden under the section. */
      var back = buttonFor(title, nav, null);
      /* Without preventScroll, focus on a section still sliding in scrolls the drawer sideways. */
      toggle.addEventListener("click", function () {
        if (narrow.matches && toggle.getAttribute("aria-expanded") === "true") { back.focus({ preventScroll: true }); }
      });
      back.addEventListener("click", function () { toggle.focus({ preventScroll: true }); });
    });
  }

  function languages() {
    var select = document.querySelector(".md-header__option .md-select");
    var button = select && select.querySelector("button");
    var list = select && select.querySelector(".md-select__inner");
    if (!button || !list) { return; }
    button.setAttribute("aria-controls", ensureId(list, "language-menu"));
    function open(yes) {
      select.setAttribute("data-menu", yes ? "open" : "closed");  /* portal.css shows it */
      button.setAttribute("aria-expanded", String(yes));
    }
    button.addEventListener("click", function () {
      open(select.getAttribute("data-menu") !== "open");
    });
    select.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && select.getAttribute("data-menu") === "open") {
        open(false);
        button.focus();
      }
    });
    select.addEventListener("focusout", function (event) {
      if (!select.contains(event.relatedTarget)) { open(false); }
    });
    document.addEventListener("click", function (event) {
      if (!select.contains(event.target)) { open(false); }
    });
    open(false);
  }

  drawer();
  sections();
  languages();
}());
