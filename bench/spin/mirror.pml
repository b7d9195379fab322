/*
 * An HMM mirror (lib/test_hmm.c's dmirror) with its mmu_interval_notifier, its driver
 * fault path racing munmap of one page under linux-6.8: the Promela twin of
 *   scripts/explore/mirror-interval-munmap.mmn           (default: read_retry checked)
 *   scripts/explore/mirror-interval-no-retry-munmap.mmn  (-DNO_RETRY: the driver skips it)
 *
 * State content, against what mmn's explore key hashes for this scenario
 * (Replayer.key: World.stateHash, pending checks, op progress, thread pcs):
 *   pte            <-> space A's page table entry for 0x400000 (present, pfn, young, dirty)
 *   frame          <-> PhysMem frame of that page (allocated, generation, refcount, mapcount)
 *   vma            <-> the VMA covering 0x400000 (detach_vmas_to_be_unmapped removes it)
 *   cputlb         <-> space A's CPU TLB entry for the page
 *   tbl            <-> gpu.pt, the mirror's table (TranslationCache: valid, pfn, gen, writable)
 *   fIn .. fRetries <-> the DriverFault in flight in MirrorDevice.inFlight (id 1: pc, sampled
 *                     seq, collected pfn/gen/writable, retries)
 *   lockHolder     <-> DriverDevice.lockHolder (dmirror->mutex)
 *   faults         <-> Device.faults / opFaults (the device's fault counters are hashed)
 *   mmSeq, subSeq, nActive <-> Strategies.Interval (subscriptions->invalidate_seq,
 *                     interval_sub->invalidate_seq, active_invalidate_ranges)
 *   phase          <-> the operation's progress (phase points passed: start, clear, end,
 *                     unlink-tables, flush, free, returned)
 *   T1's st        <-> the thread's program counter (FaultPathAction's stage: lookup,
 *                     read_begin, hmm_range_fault, lock, read_retry, install, unlock, access)
 * Frames other than this one, the page-table pages, the free list and the pending-check
 * set do not change in this scenario except as functions of the above, so they are left
 * out. Each op step and each device step is one atomic block, as in the explorer.
 *
 * Checks (Checker): an entry installed for a frame that is no longer that incarnation
 * (use-after-free at install), a frame freed while the mirror maps it (use-after-free at
 * free), a device use through a dead entry; at the end of every complete interleaving
 * (monitor, on `timeout`) the statement-end coherence check: a mirror entry must match
 * the PTE.
 */
#define NOFRAME 255
#define DONE 8

typedef Entry { bool valid; byte pfn; byte gen; bool rw };

bool pte_present = true; byte pte_pfn = 0; bool pte_young = true; bool pte_dirty = true;
bool frame_alloc = true; byte frame_gen = 1; byte frame_ref = 1; byte frame_map = 1;
bool vma = true;
bool cputlb = true;
Entry tbl;
bool fIn; byte fPc; byte fSeq; byte fPfn = NOFRAME; byte fGen; bool fRw; byte fRetries;
byte lockHolder;
byte faults;
byte mmSeq = 2; byte subSeq = 1; byte nActive;
byte phase;          /* 0 not started, 1 start, 2 clear, 3 end, 4 unlink-tables, 5 flush, 6 free, 7 returned */
byte st;             /* T1's stage: 0 lookup, 1 read_begin .. 6 unlock, 7 access, 8 done */

/* device use through the table: the frame must still be that incarnation */
inline use() {
    assert(frame_alloc && frame_gen == tbl.gen)
}

/* install (dmirror_do_fault) + Checker.entryInstalled */
inline install() {
    tbl.valid = true; tbl.pfn = fPfn; tbl.gen = fGen; tbl.rw = fRw;
    assert(frame_alloc && frame_gen == fGen)
}

/* the fault steps past the lock, run by whoever finishes the critical section */
inline readRetry() {
#ifndef NO_RETRY
    if
    :: subSeq != fSeq -> lockHolder = 0; fRetries++; fPc = 0; fPfn = NOFRAME; fGen = 0; fRw = false
    :: else -> fPc = 4
    fi
#else
    fPc = 4
#endif
}

/* DriverDevice.waitForLock from the invalidate callback: the holder finishes first */
inline waitForLock() {
    if
    :: lockHolder != 0 && fIn ->
        if :: fPc == 3 -> readRetry() :: else -> skip fi;
        if :: fPc == 4 -> install(); fPc = 5 :: else -> skip fi;
        if :: fPc == 5 -> lockHolder = 0; fIn = false :: else -> skip fi
    :: else -> skip
    fi
}

inline startFault() {
    faults++; fIn = true; fPc = 0; fSeq = 0; fPfn = NOFRAME; fGen = 0; fRw = false; fRetries = 0
}

proctype op() {
    atomic { vma = false;                                    /* detach_vmas_to_be_unmapped */
             nActive++; mmSeq = mmSeq | 1; waitForLock(); subSeq = mmSeq; tbl.valid = false;  /* interval start */
             phase = 1 };
    atomic { pte_present = false; pte_pfn = 0; pte_young = false; pte_dirty = false; frame_map = 0; phase = 2 };
    atomic { if :: nActive > 0 -> nActive--; if :: nActive == 0 && (mmSeq & 1) -> mmSeq++ :: else -> skip fi
                :: else -> skip fi;
             phase = 3 };
    atomic { phase = 4 };                                   /* the rest of the VMA keeps the table */
    atomic { cputlb = false; phase = 5 };                   /* arch_invalidate_secondary_tlbs: no such hook in interval */
    atomic { frame_alloc = false; frame_ref = 0;
             assert(!(tbl.valid && tbl.pfn == 0 && tbl.gen == frame_gen));   /* freed while gpu.pt maps it */
             phase = 6 };
    atomic { phase = 7 }
}

/* dma gpu A 0x400000 read, one FaultPathAction stage per atomic step */
proctype T1() {
end:
    do
    :: atomic { st == 0 -> if :: tbl.valid -> use(); st = DONE :: else -> startFault(); st = 1 fi }
    :: atomic { st == 1 && fIn && subSeq != mmSeq -> fSeq = subSeq; fPc = 1; st = 2 }       /* read_begin */
    :: atomic { st == 2 && fIn ->                                                         /* hmm_range_fault */
                if :: !vma -> fIn = false; st = DONE                                     /* -EFAULT: FAILED */
                   :: else -> pte_young = true; fPfn = pte_pfn; fGen = frame_gen; fRw = true; fPc = 2; st = 3
                fi }
    :: atomic { st == 3 && fIn && (lockHolder == 0 || lockHolder == 1) -> lockHolder = 1; fPc = 3; st = 4 }
    :: atomic { st == 4 && fIn -> readRetry(); st = fPc + 1 }   /* retry: fPc 0 -> read_begin */
    :: atomic { st == 5 && fIn -> install(); fPc = 5; st = 6 }
    :: atomic { st == 6 && fIn -> lockHolder = 0; fIn = false; st = 7 }
    :: atomic { st == 7 ->                                                                /* access: dma again */
                if :: tbl.valid -> use()
                   :: else -> faults++;                                                  /* runWhole */
                      if :: subSeq == mmSeq -> skip                                      /* read_begin would sleep: STALLED */
                         :: else -> assert(!vma)                                         /* -EFAULT (the VMA went first) */
                      fi
                fi;
                st = DONE }
    od
}

/* statement end, at every complete interleaving: the full coherence check */
active proctype endCheck() {
end:
    atomic { timeout -> assert(!tbl.valid || (pte_present && pte_pfn == tbl.pfn && frame_alloc && frame_gen == tbl.gen)) }
}

init {
    atomic { run op(); run T1() }
}
