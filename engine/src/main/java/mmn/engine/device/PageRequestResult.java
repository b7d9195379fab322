package mmn.engine.device;

/** What the kernel answers a page request: SUCCESS (retry the walk), INVALID (no VMA allows it), WAIT (the handler sleeps: migration_entry_wait). */
public enum PageRequestResult { SUCCESS, INVALID, WAIT }
