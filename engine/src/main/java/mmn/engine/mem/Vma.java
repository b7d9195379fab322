package mmn.engine.mem;

import mmn.engine.EngineException;

/** vm_area_struct: a mapped range with protections and backing. */
public final class Vma {
    public static final int READ = 1, WRITE = 2, EXEC = 4;

    public long start;
    public long end;
    public int prot;
    public final boolean anon;
    public final String file;
    public final boolean shared;
    public final boolean huge;
    public final boolean hugetlb;
    /** Page offset into the file of {@link #start} (vm_pgoff). */
    public long pgoff;

    public Vma(long start, long end, int prot, boolean anon, String file, boolean shared, boolean huge, boolean hugetlb, long pgoff) {
        this.start = start;
        this.end = end;
        this.prot = prot;
        this.anon = anon;
        this.file = file;
        this.shared = shared;
        this.huge = huge;
        this.hugetlb = hugetlb;
        this.pgoff = pgoff;
    }

    /** Whether o is a copy of this (every field equal). */
    public boolean sameAs(Vma o) {
        return start == o.start && end == o.end && prot == o.prot && anon == o.anon && java.util.Objects.equals(file, o.file)
                && shared == o.shared && huge == o.huge && hugetlb == o.hugetlb && pgoff == o.pgoff;
    }

    public Vma copy() {
        return new Vma(start, end, prot, anon, file, shared, huge, hugetlb, pgoff);
    }

    /** The part [s, e) of this VMA (split_vma). */
    public Vma slice(long s, long e) {
        return new Vma(s, e, prot, anon, file, shared, huge, hugetlb, pgoff + ((s - start) >>> Addr.PAGE_SHIFT));
    }

    /** The same mapping at another address, same file offset (copy_vma for mremap). */
    public Vma movedTo(long newStart) {
        return new Vma(newStart, newStart + (end - start), prot, anon, file, shared, huge, hugetlb, pgoff);
    }

    public long start() { return start; }
    public long end() { return end; }
    public int prot() { return prot; }
    public boolean anon() { return anon; }
    public String file() { return file; }
    public boolean shared() { return shared; }
    public boolean huge() { return huge; }
    public boolean hugetlb() { return hugetlb; }
    public Range range() { return new Range(start, end); }

    public boolean allows(boolean write) {
        return write ? (prot & WRITE) != 0 : (prot & READ) != 0;
    }

    /** Page index in the backing file of the page at va. */
    public long fileIndex(long va) {
        return pgoff + ((va - start) >>> Addr.PAGE_SHIFT);
    }

    public static String protString(int prot) {
        if (prot == 0) return "none";
        return ((prot & READ) != 0 ? "r" : "-") + ((prot & WRITE) != 0 ? "w" : "-") + ((prot & EXEC) != 0 ? "x" : "-");
    }

    public static int parseProt(String s) {
        if (s.equals("none")) return 0;
        int p = 0;
        for (char c : s.toCharArray()) {
            switch (c) {
                case 'r': p |= READ; break;
                case 'w': p |= WRITE; break;
                case 'x': p |= EXEC; break;
                case '-': break;
                default: throw new EngineException("bad protection '" + s + "'", "use any of r, w, x (e.g. rw, r, rwx) or none");
            }
        }
        return p;
    }

    public void hashInto(StateHasher h) {
        h.put(start).put(end).put(prot).put(anon).put(file).put(shared).put(huge).put(hugetlb).put(pgoff);
    }

    @Override
    public String toString() {
        return new Range(start, end) + " " + protString(prot) + (anon ? " anon" : " file \"" + file + "\"")
                + (shared ? " shared" : " private") + (huge ? " huge" : "") + (hugetlb ? " hugetlb" : "");
    }
}
