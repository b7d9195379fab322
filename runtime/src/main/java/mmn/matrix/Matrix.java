package mmn.matrix;

import mmn.engine.profile.Profile;
import mmn.engine.profile.Profiles;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * `mmn matrix`: a driver against every profile, every operation the profile has and
 * every mapping kind, one {@link Cell} each. Cells run on a pool of workers (each
 * explore in its worker's thread); the result lists them in a fixed order (mapping,
 * operation, profile) whatever finished first, so the same driver gives the same
 * report.
 */
public final class Matrix {
    /** Told as each cell finishes (in completion order): for progress on a terminal. */
    @FunctionalInterface
    public interface Progress {
        void done(int finished, int total, Cell cell);
    }

    private List<String> profiles = Profiles.all().stream().map(Profile::name).toList();
    private List<String> ops = Workload.operations();
    private List<Mapping> mappings = List.of(Mapping.values());
    private MatrixBounds bounds = MatrixBounds.defaults();
    private int workers = Runtime.getRuntime().availableProcessors();

    public Matrix profiles(List<String> p) {
        for (String n : p) if (Profiles.byName(n) == null) throw new IllegalArgumentException("unknown profile '" + n + "' (profiles: " + Profiles.names() + ")");
        this.profiles = List.copyOf(p);
        return this;
    }

    public Matrix ops(List<String> o) {
        for (String n : o) if (!Workload.operations().contains(n))
            throw new IllegalArgumentException("unknown operation '" + n + "' (operations: " + String.join(", ", Workload.operations()) + ")");
        this.ops = List.copyOf(o);
        return this;
    }

    public Matrix mappings(List<String> m) {
        List<Mapping> out = new ArrayList<>();
        for (String n : m) {
            Mapping k = Mapping.byLabel(n);
            if (k == null) throw new IllegalArgumentException("unknown mapping kind '" + n + "' (kinds: " + String.join(", ", Mapping.labels()) + ")");
            out.add(k);
        }
        this.mappings = out;
        return this;
    }

    public Matrix bounds(MatrixBounds b) {
        this.bounds = b;
        return this;
    }

    public Matrix workers(int n) {
        if (n < 1) throw new IllegalArgumentException("workers must be at least 1");
        this.workers = n;
        return this;
    }

    public List<String> profiles() {
        return profiles;
    }

    /** Runs every cell; the cells in report order. */
    public MatrixResult run(Driver driver, Progress progress) {
        if (driver.device() == null) throw new IllegalArgumentException(driver.label() + " declares no device");
        List<CellRun> runs = new ArrayList<>();
        for (Mapping m : mappings)
            for (String op : ops)
                for (String p : profiles) runs.add(new CellRun(driver, p, new Workload(op, m, driver.device()), bounds));
        int n = Math.max(1, Math.min(workers, driver.maxWorkers()));
        AtomicInteger finished = new AtomicInteger();
        List<Cell> cells = new ArrayList<>();
        if (n == 1) { // in the caller's thread: a guest driver's callbacks must stay on it
            String skip = null;
            for (CellRun r : runs) {
                // a callback that ran out of time got its context interrupted: the cells after it are not run (no N x timeout)
                Cell c = skip != null ? r.skipped(skip) : r.run();
                if (skip == null && r.timedOut() != null)
                    skip = "not run: a callback of the driver ran past the guest timeout in the " + c.profile() + " " + c.op() + " "
                            + c.mapping().label + " cell";
                cells.add(c);
                if (progress != null) progress.done(finished.incrementAndGet(), runs.size(), c);
            }
        } else {
            ExecutorService pool = Executors.newFixedThreadPool(n, t -> {
                Thread th = new Thread(t, "matrix-worker");
                th.setDaemon(true);
                return th;
            });
            try {
                List<Future<Cell>> futures = new ArrayList<>();
                for (CellRun r : runs) {
                    futures.add(pool.submit(() -> {
                        Cell c = r.run();
                        if (progress != null) {
                            synchronized (progress) {
                                progress.done(finished.incrementAndGet(), runs.size(), c);
                            }
                        }
                        return c;
                    }));
                }
                for (Future<Cell> f : futures) cells.add(f.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
            } finally {
                pool.shutdownNow();
            }
        }
        return new MatrixResult(driver.label(), driver.device(), profiles, ops, mappings, bounds, cells);
    }
}
