// Placeholder entry point; the runner's modes are written next.
return 0;
