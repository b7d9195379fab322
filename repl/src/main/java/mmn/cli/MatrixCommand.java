package mmn.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import mmn.matrix.MatrixOptions;
import mmn.matrix.MatrixReports;
import mmn.matrix.MmnDriver;
import mmn.parse.ParseError;

/** {@code mmn matrix DRIVER}: options in, reports out; the matrix itself is mmn.matrix's. */
final class MatrixCommand {
    private MatrixCommand() {}

    static int run(List<String> args, PrintStream out, PrintStream err) {
        MatrixOptions o;
        try {
            o = MatrixOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("mmn: " + e.getMessage());
            err.println(MatrixOptions.USAGE);
            return 2;
        }
        if (o.help) {
            out.println(MatrixOptions.USAGE);
            return 0;
        }
        if (o.driverFile.endsWith(".js") || o.driverFile.endsWith(".py")) {
            err.println("mmn: " + o.driverFile + " is a JavaScript or Python driver: the polyglot jar runs it (./mmn matrix does so for .js and .py files)");
            return 2;
        }
        MmnDriver d;
        try {
            d = MmnDriver.read(Path.of(o.driverFile));
        } catch (IOException e) {
            err.println("mmn: cannot read " + o.driverFile + ": " + e.getMessage());
            return 2;
        } catch (ParseError e) {
            err.print(e.diagnostics().get(0).render());
            return 2;
        }
        return MatrixReports.run(o, d, out, err, System.console() != null);
    }
}
