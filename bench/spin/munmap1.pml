/*
 * munmap of one page under linux-3.19 against one device read, with a driver that
 * flushes only at invalidate_range_start: the Promela twin of
 *   scripts/explore/start-only-munmap.mmn   (-DSTART_ONLY; without it, AMD's 3.19 range
 *                                            flush at end and at the TLB flush)
 * (munmap.pml is the two-page, two-thread variant measured by bench/ExploreOnce.)
 *
 * State content, against what mmn's explore key hashes for this scenario
 * (Replayer.key: World.stateHash, pending checks, op progress, thread pcs):
 *   pte            <-> space A's PTE for 0x400000 (present, pfn, young, dirty)
 *   frame          <-> the PhysMem frame of the page (allocated, generation, refcount, mapcount)
 *   vma            <-> the VMA covering 0x400000 (detach_vmas_to_be_unmapped removes it
 *                      before start; a page request then answers INVALID)
 *   cputlb         <-> space A's CPU TLB entry
 *   atc, iotlb     <-> gpu's ATC and IOTLB entry for the page (valid, pfn, gen, writable)
 *   faults         <-> gpu's fault counters (Device.faults / opFaults, hashed)
 *   phase          <-> the operation's progress (start, clear, end, unlink-tables, flush,
 *                      free, returned)
 *   T1's pc        <-> the thread's program counter
 * The page-table pages stay (the rest of the VMA keeps them), so they are left out.
 *
 * Checks (Checker): a frame freed while a device entry names that incarnation, or a
 * device use through such an entry (use-after-free); at the end of every complete
 * interleaving (monitor, on `timeout`) the statement-end check: no device entry for an
 * unmapped page.
 */
typedef Entry { bool valid; byte pfn; byte gen; bool rw };

bool pte_present = true; byte pte_pfn = 0; bool pte_young = true; bool pte_dirty = true;
bool frame_alloc = true; byte frame_gen = 1; byte frame_ref = 1; byte frame_map = 1;
bool vma = true;
bool cputlb = true;
Entry atc;
Entry iotlb;
byte faults;
byte phase;   /* 0 not started, 1 start, 2 clear, 3 end, 4 unlink-tables, 5 flush, 6 free, 7 returned */

inline flush() {
    iotlb.valid = false; atc.valid = false
}

proctype op() {
    atomic { vma = false;
#ifdef START_ONLY
             flush();                                   /* invalidate_range_start */
#endif
             phase = 1 };
    atomic { pte_present = false; pte_pfn = 0; pte_young = false; pte_dirty = false; frame_map = 0; phase = 2 };
    atomic {
#ifndef START_ONLY
             flush();                                   /* invalidate_range_end -> invalidate_range (3.19) */
#endif
             phase = 3 };
    atomic { phase = 4 };
    atomic { cputlb = false;
#ifndef START_ONLY
             flush();                                   /* tlb_flush_mmu_tlbonly -> invalidate_range */
#endif
             phase = 5 };
    atomic { frame_alloc = false; frame_ref = 0;
             assert(!(atc.valid && atc.pfn == 0 && atc.gen == frame_gen));
             assert(!(iotlb.valid && iotlb.pfn == 0 && iotlb.gen == frame_gen));
             phase = 6 };
    atomic { phase = 7 }
}

/* dma gpu A 0x400000 read (AtsDevice.access): ATC, IOTLB, walk, page request */
proctype T1() {
    atomic {
        if
        :: atc.valid -> assert(frame_alloc && frame_gen == atc.gen)
        :: !atc.valid && iotlb.valid -> atc.valid = true; atc.pfn = iotlb.pfn; atc.gen = iotlb.gen; atc.rw = iotlb.rw;
                                        assert(frame_alloc && frame_gen == atc.gen)
        :: !atc.valid && !iotlb.valid && pte_present ->
               atc.valid = true; atc.pfn = pte_pfn; atc.gen = frame_gen; atc.rw = true;
               iotlb.valid = true; iotlb.pfn = pte_pfn; iotlb.gen = frame_gen; iotlb.rw = true;
               pte_young = true
        :: !atc.valid && !iotlb.valid && !pte_present -> faults++; assert(!vma)   /* page request: INVALID */
        fi
    }
}

active proctype endCheck() {
end:
    atomic { timeout -> assert((!atc.valid || pte_present) && (!iotlb.valid || pte_present)) }
}

init {
    atomic { run op(); run T1() }
}
