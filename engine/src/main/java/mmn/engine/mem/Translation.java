package mmn.engine.mem;

/**
 * One cached translation: va -> (frame, generation) with its rights, held by a
 * {@link TranslationCache}. The generation pins which incarnation of the frame the
 * entry was made for, so a use after the frame was freed or reused is detectable.
 */
public final class Translation {
    /** The cache holding it, by identity across copies (copies of a cache share their entries). */
    public final TranslationCache.Id owner;
    public final long va;
    public final int pfn;
    public final int gen;
    public final boolean writable;
    final long size;

    Translation(TranslationCache.Id owner, long va, int pfn, int gen, boolean writable, long size) {
        this.owner = owner;
        this.va = va;
        this.pfn = pfn;
        this.gen = gen;
        this.writable = writable;
        this.size = size;
    }

    public TranslationCache.Id owner() { return owner; }
    public long va() { return va; }
    public int pfn() { return pfn; }
    public int gen() { return gen; }
    public boolean writable() { return writable; }

    /** The frame backing {@code addr} through this entry (a huge entry covers 512 frames). */
    public int pfnFor(long addr) {
        return pfn + (int) ((addr - va) >>> Addr.PAGE_SHIFT);
    }

    @Override
    public String toString() {
        return owner.label + "[" + Addr.hex(va) + " -> pfn " + pfn + " gen " + gen + (writable ? " rw" : " ro") + "]";
    }
}
