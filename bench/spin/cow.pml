/*
 * A COW write fault after fork under linux-3.19 (wp_page_copy, phase by phase) against
 * two threads of an ATS device (AMD IOMMUv2: ATC, IOTLB, walk cache) bound to the
 * parent: the Promela twin of
 *   scripts/explore/range-319-cow.mmn     (default: AMD's range strategy, invalidate_range)
 *   scripts/explore/end-only-cow.mmn      (-DEND_ONLY: a driver that flushes only at end)
 * T1: dma read 0x400000, then dma read 0x401000; T2: dma read 0x400000.
 *
 * State content, against what mmn's explore key hashes for this scenario
 * (Replayer.key: World.stateHash, pending checks, op progress, thread pcs):
 *   pte[v]         <-> space A's page table entries for 0x400000 (v=0) and 0x401000 (v=1):
 *                      present, pfn, writable, young, dirty
 *   frame[f]       <-> PhysMem frames: f=0,1 the pages A and B share after fork, f=2 the
 *                      copy wp_page_copy allocates (allocated, generation, refcount,
 *                      mapcount, value)
 *   ptl            <-> space A's PTL depth (held from clear to unlock; a page request
 *                      meanwhile waits: the access is STALLED)
 *   cputlb         <-> space A's CPU TLB entry for 0x400000 (B's page table, TLB and VMAs
 *                      never change during the explore and are left out)
 *   atc[], iotlb[] <-> gpu's ATC and IOTLB (TranslationCache: va, pfn, gen, writable),
 *                      slot order = insertion order (mmn hashes caches in insertion order);
 *                      capacity 64 in the script, so two slots never evict
 *   wc             <-> gpu's walk cache (its three upper-level entries are filled by the
 *                      first walk and flushed together by a flush of either page: one bit;
 *                      the table frames they name never change here)
 *   faults         <-> gpu's fault counters (Device.faults / opFaults, hashed)
 *   phase          <-> the operation's progress (copy, start, clear, set, unlock, end,
 *                      put, returned)
 *   T1's pc, T2's pc <-> the threads' program counters (process pcs)
 * Each op phase and each device access is one atomic block, as in the explorer.
 *
 * Checks (Checker): a device use through an entry whose frame is no longer that
 * incarnation (use-after-free); at set_pte_at_notify, a device entry for 0x400000
 * still naming the old page (stale-translation, Checker.beforeRepoint); at the end of
 * every complete interleaving (monitor, on `timeout`) the statement-end coherence
 * check: every device entry agrees with its PTE.
 */
#define NOSLOT 255

typedef Pte { bool present; byte pfn; bool rw; bool young; bool dirty };
typedef Frame { bool alloc; byte gen; byte ref; byte map; byte value };
typedef Entry { bool valid; byte va; byte pfn; byte gen; bool rw };

Pte pte[2];
Frame frame[3];
Entry atc[2];
Entry iotlb[2];
bool ptl;
bool cputlb;
bool wc;
byte faults;
byte phase;   /* 0 not started, 1 copy, 2 start, 3 clear, 4 set, 5 unlock, 6 end, 7 put, 8 returned */

/* insert into a two-slot cache: drop any entry for v, close the gap, append */
#define CACHE_INSERT(NAME, c) \
inline NAME(v, p, g, w) { \
    if :: c[0].valid && c[0].va == v -> c[0].valid = false :: else -> skip fi; \
    if :: c[1].valid && c[1].va == v -> c[1].valid = false :: else -> skip fi; \
    if :: !c[0].valid && c[1].valid -> c[0].valid = true; c[0].va = c[1].va; c[0].pfn = c[1].pfn; c[0].gen = c[1].gen; c[0].rw = c[1].rw; c[1].valid = false \
       :: else -> skip fi; \
    if :: !c[0].valid -> c[0].valid = true; c[0].va = v; c[0].pfn = p; c[0].gen = g; c[0].rw = w \
       :: else -> c[1].valid = true; c[1].va = v; c[1].pfn = p; c[1].gen = g; c[1].rw = w fi \
}
CACHE_INSERT(atcInsert, atc)
CACHE_INSERT(iotlbInsert, iotlb)

#define CACHE_DROP(c, v) \
    if :: c[0].valid && c[0].va == v -> c[0].valid = false :: else -> skip fi; \
    if :: c[1].valid && c[1].va == v -> c[1].valid = false :: else -> skip fi; \
    if :: !c[0].valid && c[1].valid -> c[0].valid = true; c[0].va = c[1].va; c[0].pfn = c[1].pfn; c[0].gen = c[1].gen; c[0].rw = c[1].rw; c[1].valid = false \
       :: else -> skip fi

/* AtsDevice.flush of one page: IOTLB, ATC, walk cache */
inline flushPage(v) {
    CACHE_DROP(iotlb, v); CACHE_DROP(atc, v); wc = false
}

#define FIND(c, v) \
    k = NOSLOT; \
    if :: c[0].valid && c[0].va == v -> k = 0 :: else -> skip fi; \
    if :: c[1].valid && c[1].va == v -> k = 1 :: else -> skip fi

#define USE(pf, gn) assert(frame[pf].alloc && frame[pf].gen == gn)   /* use-after-free */

/* one device read (AtsDevice.access): ATC, IOTLB, walk, page request */
inline dmaRead(v) {
    FIND(atc, v);
    if
    :: k != NOSLOT -> USE(atc[k].pfn, atc[k].gen)
    :: else ->
        FIND(iotlb, v);
        if
        :: k != NOSLOT -> p = iotlb[k].pfn; g = iotlb[k].gen; r = iotlb[k].rw; atcInsert(v, p, g, r); USE(p, g)
        :: else ->
            wc = true;                                     /* the walk fills (or uses) the walk cache */
            if
            :: pte[v].present -> p = pte[v].pfn; g = frame[p].gen; r = pte[v].rw;
                                 atcInsert(v, p, g, r); iotlbInsert(v, p, g, r); pte[v].young = true; USE(p, g)
            :: else -> faults++; assert(ptl)               /* page request: waits for the PTL, STALLED */
            fi
        fi
    fi
}

proctype op() {
    atomic { frame[0].ref++;                                           /* the fault's own reference */
             frame[2].alloc = true; frame[2].gen = 1; frame[2].ref = 1; frame[2].map = 0; frame[2].value = frame[0].value;
             phase = 1 };
    atomic { phase = 2 };                                              /* invalidate_range_start: no-op for both */
    atomic { ptl = true; pte[0].present = false; pte[0].pfn = 0; pte[0].rw = false; pte[0].young = false; pte[0].dirty = false;
             cputlb = false;
#ifndef END_ONLY
             flushPage(0);                                             /* ptep_clear_flush -> invalidate_range */
#endif
             phase = 3 };
    atomic { /* set_pte_at_notify: Checker.beforeRepoint */
             assert(!(atc[0].valid && atc[0].va == 0 && atc[0].pfn == 0) && !(atc[1].valid && atc[1].va == 0 && atc[1].pfn == 0));
             assert(!(iotlb[0].valid && iotlb[0].va == 0 && iotlb[0].pfn == 0) && !(iotlb[1].valid && iotlb[1].va == 0 && iotlb[1].pfn == 0));
             frame[2].map = 1;
             pte[0].present = true; pte[0].pfn = 2; pte[0].rw = true; pte[0].young = true; pte[0].dirty = true;
             frame[0].map--; frame[0].ref--;
             phase = 4 };
    atomic { ptl = false; phase = 5 };
    atomic {
#ifdef END_ONLY
             flushPage(0);                                             /* invalidate_range_end */
#endif
             phase = 6 };
    atomic { frame[0].ref--; phase = 7 };                              /* B still maps the old page */
    atomic { cputlb = true; phase = 8 }                                /* the write retried by the CPU */
}

proctype T1() {
    byte k, p, g; bool r;
    atomic { dmaRead(0) };
    atomic { dmaRead(1) }
}

proctype T2() {
    byte k, p, g; bool r;
    atomic { dmaRead(0) }
}

#define AGREES(e) (!e.valid || (pte[e.va].present && pte[e.va].pfn == e.pfn && (!e.rw || pte[e.va].rw)))

/* statement end, at every complete interleaving: the full coherence check */
active proctype endCheck() {
end:
    atomic { timeout -> assert(AGREES(atc[0]) && AGREES(atc[1]) && AGREES(iotlb[0]) && AGREES(iotlb[1])) }
}

init {
    byte i;
    atomic {
        i = 0;
        do :: i < 2 -> frame[i].alloc = true; frame[i].gen = 1; frame[i].ref = 2; frame[i].map = 2; frame[i].value = i + 1;
                       pte[i].present = true; pte[i].pfn = i; pte[i].rw = false; pte[i].young = true; pte[i].dirty = true;
                       i++
           :: else -> break od;
        run op(); run T1(); run T2()
    }
}
