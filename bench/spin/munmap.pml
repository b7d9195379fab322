/*
 * munmap of two pages under linux-3.19 against two device threads, the state content
 * of mmn's MUNMAP_RANGE / MUNMAP_START_ONLY explore (bench/src/.../BenchScenarios.java):
 * PTEs (present, pfn, young, dirty), frames (allocated, generation, refcount, mapcount,
 * value), the write sequence, the CPU TLB, the device ATC and IOTLB (entry: valid, pfn,
 * generation, writable; insertion order kept as slot order), fault counter, the op's phase
 * and each thread's program counter. Checks: use-after-free when a frame is freed while a
 * TLB still names that incarnation, or when the device uses such an entry.
 * Strategy: -DSTART_ONLY for the naive start-only flush, else AMD's 3.19 range flush.
 */
#define NPAGES 2
#define NOFRAME 255

typedef Pte { bool present; byte pfn; bool young; bool dirty };
typedef Frame { bool alloc; byte gen; byte ref; byte map; byte value };
typedef Entry { bool valid; byte va; byte pfn; byte gen; bool rw };

Pte pte[NPAGES];
Frame frame[NPAGES];          /* frame i backs page i */
Entry atc[NPAGES];            /* slot order = insertion order */
Entry iotlb[NPAGES];
bool cputlb[NPAGES];
byte writeSeq;
byte faults;
byte phase;                   /* 0 not started, 1 start, 2 clear, 3 end, 4 unlink-tables, 5 flush, 6 free, 7 returned */
bool vmaDetached;

/* insert into a cache: drop any entry for v, then append (slot order = insertion order) */
#define CACHE_INSERT(NAME, c) \
inline NAME(v, p, g, w) { \
    i = 0; \
    do \
    :: i < NPAGES -> if :: c[i].valid && c[i].va == v -> c[i].valid = false :: else -> skip fi; i++ \
    :: else -> break \
    od; \
    if :: !c[0].valid && c[1].valid -> c[0].valid = true; c[0].va = c[1].va; c[0].pfn = c[1].pfn; c[0].gen = c[1].gen; c[0].rw = c[1].rw; c[1].valid = false \
       :: else -> skip fi; \
    if :: !c[0].valid -> c[0].valid = true; c[0].va = v; c[0].pfn = p; c[0].gen = g; c[0].rw = w \
       :: else -> c[1].valid = true; c[1].va = v; c[1].pfn = p; c[1].gen = g; c[1].rw = w fi \
}
CACHE_INSERT(atcInsert, atc)
CACHE_INSERT(iotlbInsert, iotlb)

inline flushAll() {
    atc[0].valid = false; atc[1].valid = false; iotlb[0].valid = false; iotlb[1].valid = false
}

inline use(k, v, w) {
    assert(frame[atc[k].pfn].alloc && frame[atc[k].pfn].gen == atc[k].gen);   /* use-after-free */
    if :: w -> writeSeq++; frame[atc[k].pfn].value = writeSeq :: else -> skip fi
}

/* one device access (AtsDevice.access): ATC, IOTLB, walk, page request */
inline dma(v, w) {
    found = NOFRAME;
    i = 0;
    do :: i < NPAGES -> if :: atc[i].valid && atc[i].va == v && (!w || atc[i].rw) -> found = i :: else -> skip fi; i++
       :: else -> break od;
    if
    :: found != NOFRAME -> use(found, v, w)
    :: else ->
        found = NOFRAME;
        i = 0;
        do :: i < NPAGES -> if :: iotlb[i].valid && iotlb[i].va == v -> found = i :: else -> skip fi; i++
           :: else -> break od;
        if
        :: found != NOFRAME -> p = iotlb[found].pfn; g = iotlb[found].gen; r = iotlb[found].rw;
                               atcInsert(v, p, g, r); k = (atc[1].valid -> 1 : 0); use(k, v, w)
        :: else ->
            if
            :: pte[v].present -> p = pte[v].pfn; g = frame[p].gen;
                                 atcInsert(v, p, g, true); iotlbInsert(v, p, g, true);
                                 pte[v].young = true; if :: w -> pte[v].dirty = true :: else -> skip fi;
                                 k = (atc[1].valid -> 1 : 0); use(k, v, w)
            :: else -> faults++; assert(vmaDetached)   /* page request answered INVALID: the VMA is gone */
            fi
        fi
    fi
}

proctype op() {
    byte i;
    atomic { phase = 1; vmaDetached = true;
#ifdef START_ONLY
             flushAll()
#endif
    };
    atomic { phase = 2; i = 0;
             do :: i < NPAGES -> pte[i].present = false; pte[i].pfn = 0; pte[i].young = false; pte[i].dirty = false;
                                 frame[i].map = 0; i++
                :: else -> break od };
    atomic { phase = 3;
#ifndef START_ONLY
             flushAll()       /* invalidate_range_end calls ->invalidate_range first (3.19) */
#endif
    };
    atomic { phase = 4 };     /* no page-table page of the range is freed: the VMA's rest keeps it */
    atomic { phase = 5; cputlb[0] = false; cputlb[1] = false;
#ifndef START_ONLY
             flushAll()
#endif
    };
    atomic { phase = 6; i = 0;
             do :: i < NPAGES ->
                   frame[i].alloc = false; frame[i].ref = 0;
                   assert(!(atc[0].valid && atc[0].pfn == i && atc[0].gen == frame[i].gen));
                   assert(!(atc[1].valid && atc[1].pfn == i && atc[1].gen == frame[i].gen));
                   assert(!(iotlb[0].valid && iotlb[0].pfn == i && iotlb[0].gen == frame[i].gen));
                   assert(!(iotlb[1].valid && iotlb[1].pfn == i && iotlb[1].gen == frame[i].gen));
                   assert(!cputlb[i]);
                   i++
                :: else -> break od };
    atomic { phase = 7 }
}

proctype T1() {
    byte i, k, found, p, g; bool r;
    atomic { dma(0, false) };
    atomic { dma(1, true) }
}

proctype T2() {
    byte i, k, found, p, g; bool r;
    atomic { dma(1, false) };
    atomic { dma(0, true) }
}

init {
    byte i, p, g;
    atomic {
        i = 0;
        do :: i < NPAGES -> frame[i].alloc = true; frame[i].gen = 1; frame[i].ref = 1; frame[i].map = 1;
                            pte[i].present = true; pte[i].pfn = i; pte[i].young = true; pte[i].dirty = true;
                            cputlb[i] = true;
                            p = i; g = 1;
                            atc[i].valid = true; atc[i].va = i; atc[i].pfn = i; atc[i].gen = 1; atc[i].rw = true;
                            iotlb[i].valid = true; iotlb[i].va = i; iotlb[i].pfn = i; iotlb[i].gen = 1; iotlb[i].rw = true;
                            i++
           :: else -> break od;
        run op(); run T1(); run T2()
    }
}
