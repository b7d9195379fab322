package mmn.engine.profile;

import mmn.engine.EngineException;

/** The CPU/IOMMU architecture: decides whether a permission miss re-walks (x86) or faults (arm64 SMMU). */
public enum Arch {
    X86, ARM64;

    /** The `arch` setting's value: x86 (x86_64) or arm64 (aarch64). */
    public static Arch parse(String name) {
        switch (name) {
            case "x86": case "x86_64": return X86;
            case "arm64": case "aarch64": return ARM64;
            default: throw new EngineException("unknown arch '" + name + "'", "arch is x86 or arm64");
        }
    }
}
