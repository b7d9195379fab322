package mmn.engine.mem;

/**
 * One cached translation: va -> (frame, generation) with its rights, held by a
 * {@link TranslationCache}. The generation pins which incarnation of the frame the
 * entry was made for, so a use after the frame was freed or reused is detectable.
 */
public final class Translation {
    public final TranslationCache owner;
    public final long va;
    public final int pfn;
    public final int gen;
    public final boolean writable;
    final long size;

    Translation(TranslationCache owner, long va, int pfn, int gen, boolean writable, long size) {
        this.owner = owner;
        this.va = va;
        this.pfn = pfn;
        this.gen = gen;
        this.writable = writable;
        this.size = size;
    }

    public TranslationCache owner() { return owner; }
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
        return owner.label() + "[" + Addr.hex(va) + " -> pfn " + pfn + " gen " + gen + (writable ? " rw" : " ro") + "]";
    }
}
