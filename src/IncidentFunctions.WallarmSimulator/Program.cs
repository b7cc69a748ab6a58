// Placeholder entry point; the simulator is written next.
return 0;
