// Start Pagefind's search box on the search page. Pagefind fetches only the index fragments
// that match what someone types, so no other page downloads any of the index. The message for
// browsers without JavaScript is part of the page; it goes once the search box is ready.
document.getElementById("search-needs-javascript").remove();
new PagefindUI({ element: "#search", showSubResults: true, resetStyles: false });

// Pagefind's box has only a placeholder; a visible label stays on screen while people type.
const input = document.querySelector("#search .pagefind-ui__search-input");
const label = document.createElement("label");
input.id = "search-input";
label.htmlFor = input.id;
label.className = "search-label";
label.textContent = document.getElementById("search").dataset.label;  // in the page's language
input.form.before(label);
