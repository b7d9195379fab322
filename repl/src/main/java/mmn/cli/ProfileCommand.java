package mmn.cli;

import mmn.engine.EngineException;
import mmn.engine.profile.Operations;
import mmn.engine.profile.Profile;
import mmn.engine.profile.ProfileReport;
import mmn.engine.profile.Profiles;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import mmn.interp.Outcome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code mmn profile}: what each kernel profile does, hook by hook, and how two differ. */
@Command(name = "profile", mixinStandardHelpOptions = true, synopsisHeading = "usage: ",
        description = {"List the kernel profiles; describe one (and one operation's hooks); or diff two.",
            "  mmn profile", "  mmn profile PROFILE [OPERATION]", "  mmn profile --diff PROFILE PROFILE OPERATION"})
final class ProfileCommand implements Callable<Integer> {
    @ParentCommand
    MmnCommand mmn;

    @Option(names = "--diff", arity = "3", paramLabel = "PROFILE PROFILE OPERATION",
            description = "what differs between two profiles for one operation")
    List<String> diff;

    @Parameters(arity = "0..2", paramLabel = "PROFILE [OPERATION]", completionCandidates = MmnCommand.ProfileNames.class)
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        try {
            if (diff != null) {
                if (!args.isEmpty()) return usage();
                mmn.out.print(ProfileReport.diff(profileNamed(diff.get(0)), profileNamed(diff.get(1)), diff.get(2)));
                return 0;
            }
            if (args.isEmpty()) {
                for (Profile p : Profiles.all()) mmn.out.println(p.name() + ": " + p.summary());
                if (!Profiles.PLANNED.isEmpty()) mmn.out.println("not built yet: " + String.join(", ", Profiles.PLANNED));
                return 0;
            }
            Profile p = profileNamed(args.get(0));
            if (args.size() == 1) mmn.out.print(ProfileReport.describe(p));
            else mmn.out.print(ProfileReport.describe(p, args.get(1)));
            return 0;
        } catch (EngineException e) {
            mmn.err.println("mmn: " + e.getMessage() + (e.hint() != null ? "\n  hint: " + e.hint() : ""));
            return Outcome.ERROR.exitCode();
        }
    }

    private int usage() {
        mmn.err.println("mmn: usage: mmn profile --diff PROFILE PROFILE OPERATION");
        return Outcome.ERROR.exitCode();
    }

    private static Profile profileNamed(String name) {
        Profile p = Profiles.byName(name);
        if (p == null) {
            String planned = Profiles.PLANNED.contains(name) ? " (not supported yet)" : "";
            throw new EngineException("unknown profile '" + name + "'" + planned, "profiles: " + Profiles.names()
                    + "; operations: " + String.join(", ", Operations.names()));
        }
        return p;
    }
}
