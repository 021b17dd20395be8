// Start Pagefind's search box on the search page. Pagefind fetches only the index fragments
// that match what someone types, so no other page downloads any of the index. The message for
// browsers without JavaScript is part of the page; it goes once the search box is ready.
// Policies have no images, and Pagefind's empty image column took a third of a phone's width.
document.getElementById("search-needs-javascript").remove();
new PagefindUI({ element: "#search", showSubResults: true, showImages: false, resetStyles: false });

// Pagefind's box has only a placeholder; a visible label stays on screen while people type.
const search = document.getElementById("search");
const input = search.querySelector(".pagefind-ui__search-input");
const label = document.createElement("label");
input.id = "search-input";
label.htmlFor = input.id;
label.className = "search-label";
label.textContent = search.dataset.label;  // in the page's language
input.form.before(label);

// Pagefind writes "2 results for ombudsman" in no live region, so screen readers are not told
// (WCAG 4.1.3). A status region, there from the start as live regions must be, repeats it.
const announcer = document.createElement("p");
announcer.setAttribute("role", "status");
announcer.className = "visually-hidden";
search.after(announcer);
new MutationObserver(() => {
  const message = search.querySelector(".pagefind-ui__message");
  const text = message ? message.textContent.trim() : "";
  if (announcer.textContent !== text) {
    announcer.textContent = text;
  }
}).observe(search, { childList: true, subtree: true, characterData: true });
