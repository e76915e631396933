"""Small pure helpers every app may import; they import none of the apps and no Django."""
