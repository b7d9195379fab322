package mmn.engine.mem;

import java.util.Map;
import java.util.TreeMap;

/**
 * The page cache (address_space->i_pages of each file): file name -> page index -> frame.
 * The cache holds one reference on each of its frames.
 */
public final class PageCache {
    private final Map<String, TreeMap<Long, Integer>> files = new TreeMap<>();

    /** A file's pages by index (created empty on first use). */
    public TreeMap<Long, Integer> pagesOf(String file) {
        return files.computeIfAbsent(file, k -> new TreeMap<>());
    }

    /** The frame caching a file's page, or null. */
    public Integer find(String file, long index) {
        TreeMap<Long, Integer> pages = files.get(file);
        return pages == null ? null : pages.get(index);
    }

    /** Whether pfn is a page-cache page. */
    public boolean contains(int pfn) {
        for (TreeMap<Long, Integer> pages : files.values()) if (pages.containsValue(pfn)) return true;
        return false;
    }

    /** The slot holding old now holds fresh (migrate_page_move_mapping); false if old is not cached. */
    public boolean replace(int old, int fresh) {
        for (TreeMap<Long, Integer> pages : files.values()) {
            for (Map.Entry<Long, Integer> e : pages.entrySet()) {
                if (e.getValue() == old) {
                    e.setValue(fresh);
                    return true;
                }
            }
        }
        return false;
    }

    public void clear() {
        files.clear();
    }

    public void copyFrom(PageCache o) {
        files.clear();
        for (Map.Entry<String, TreeMap<Long, Integer>> f : o.files.entrySet()) files.put(f.getKey(), new TreeMap<>(f.getValue()));
    }

    public void hashInto(StateHasher h) {
        for (Map.Entry<String, TreeMap<Long, Integer>> f : files.entrySet()) {
            h.put(f.getKey());
            for (Map.Entry<Long, Integer> e : f.getValue().entrySet()) h.put(e.getKey()).put(e.getValue());
        }
    }
}
