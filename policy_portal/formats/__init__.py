"""Every other format of a policy: large print, PDFs (Typst) and Braille."""
