package mmn.engine.profile;

/** The CPU/IOMMU architecture: decides whether a permission miss re-walks (x86) or faults (arm64 SMMU). */
public enum Arch { X86, ARM64 }
