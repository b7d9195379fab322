package mmn.engine.ops;

import mmn.engine.mem.Space;
import mmn.engine.mem.StateHasher;
import java.util.List;

/**
 * What the rmap-walking step programs (migrate, reclaim, age) share: the pages taken
 * when the operation began and the one in hand, the rmap walk's mappings of that page
 * (spaces by name, addresses) and the one being worked on.
 */
abstract class RmapFrame extends OpFrame {
    protected final String space;
    protected int[] pages;
    protected int page;
    protected String[] mapSpaces;
    protected long[] mapVas;
    protected int map;

    RmapFrame(String space) {
        this.space = space;
    }

    /** The operation begins: the distinct 4 KiB pages mapped in r, the first in hand. */
    protected final void begin(Kernel k, Space s, mmn.engine.mem.Range r) {
        k.vmm.run.beginOp(name(), s);
        pages = k.vmm.rmap.pagesIn(s, r, name()).stream().mapToInt(Integer::intValue).toArray();
        page = 0;
    }

    /** The frame of the page in hand. */
    protected final int pfn() {
        return pages[page];
    }

    /** The rmap walk of the page in hand (rmap_walk_anon / rmap_walk_file), from its first mapping. */
    protected final void walk(Kernel k) {
        List<Rmap.Mapping> maps = k.vmm.rmap.rmap(pfn());
        mapSpaces = new String[maps.size()];
        mapVas = new long[maps.size()];
        for (int i = 0; i < maps.size(); i++) {
            mapSpaces[i] = maps.get(i).space().name;
            mapVas[i] = maps.get(i).va();
        }
        map = 0;
    }

    /** The shared locals into a copy (the arrays are fixed once taken: shared). */
    protected final <F extends RmapFrame> F copyRmap(F c) {
        c.pc = pc;
        c.pages = pages;
        c.page = page;
        c.mapSpaces = mapSpaces;
        c.mapVas = mapVas;
        c.map = map;
        return c;
    }

    protected final void hashRmap(StateHasher h) {
        h.put(pc).put(space).put(page).put(map);
        if (pages == null) h.put(-1);
        else {
            h.put(pages.length);
            for (int p : pages) h.put(p);
        }
        if (mapVas == null) h.put(-1);
        else {
            h.put(mapVas.length);
            for (int i = 0; i < mapVas.length; i++) h.put(mapSpaces[i]).put(mapVas[i]);
        }
    }
}
