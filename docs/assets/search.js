// Start Pagefind's search box on the search page. Pagefind fetches only the index fragments
// that match what someone types, so no other page downloads any of the index.
new PagefindUI({ element: "#search", showSubResults: true, resetStyles: false });
