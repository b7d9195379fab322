package mmn.engine.mem;

import java.util.Map;
import java.util.TreeMap;

/**
 * Swap: slots holding swapped-out contents, and the swap cache (add_to_swap until
 * __remove_mapping) of frames still in memory for a slot.
 */
public final class SwapSpace {
    private final TreeMap<Integer, Long> slots = new TreeMap<>();
    private final TreeMap<Integer, Integer> cache = new TreeMap<>();
    private int nextSlot = 1;

    /** get_swap_page: a fresh slot. */
    public int allocSlot() {
        return nextSlot++;
    }

    /** pageout: the page's contents written to its slot. */
    public void writeOut(int slot, long value) {
        slots.put(slot, value);
    }

    /** The contents saved in a slot, or null if nothing was written there. */
    public Long saved(int slot) {
        return slots.get(slot);
    }

    /** swap_free: the slot's contents are no longer needed (its last swap PTE is gone). */
    public void free(int slot) {
        slots.remove(slot);
    }

    /** add_to_swap: the swap cache holds pfn for slot (and a reference on it). */
    public void addToCache(int slot, int pfn) {
        cache.put(slot, pfn);
    }

    /** The frame the swap cache holds for slot, or null. */
    public Integer cached(int slot) {
        return cache.get(slot);
    }

    public void removeFromCache(int slot) {
        cache.remove(slot);
    }

    public void clear() {
        slots.clear();
        cache.clear();
        nextSlot = 1;
    }

    public void copyFrom(SwapSpace o) {
        clear();
        slots.putAll(o.slots);
        cache.putAll(o.cache);
        nextSlot = o.nextSlot;
    }

    public void hashInto(StateHasher h) {
        for (Map.Entry<Integer, Long> e : slots.entrySet()) h.put(e.getKey()).put(e.getValue());
        for (Map.Entry<Integer, Integer> e : cache.entrySet()) h.put(e.getKey()).put(e.getValue());
        h.put(nextSlot);
    }
}
