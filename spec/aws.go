package spec

import "fmt"

// ComputeType is a build size: the config's name and CodeBuild's.
type ComputeType struct{ Name, CodeBuild string }

// ComputeTypes are the build sizes, smallest first.
var ComputeTypes = []ComputeType{
	{"small", "BUILD_GENERAL1_SMALL"}, {"medium", "BUILD_GENERAL1_MEDIUM"},
	{"large", "BUILD_GENERAL1_LARGE"}, {"xlarge", "BUILD_GENERAL1_XLARGE"},
}

// ComputeTypeNames lists the build sizes' config names.
func ComputeTypeNames() []string {
	names := make([]string, len(ComputeTypes))
	for i, c := range ComputeTypes {
		names[i] = c.Name
	}
	return names
}

// Architectures are the CPU architectures of the image.
var Architectures = []string{"x86_64", "arm64"}

// Strategy is a way of shifting traffic in a blue/green deployment.
type Strategy struct {
	// Name is what the config calls it.
	Name string
	// CodeDeployConfig is CodeDeploy's predefined deployment configuration.
	CodeDeployConfig string
}

// Strategies are the deployment strategies, in the order the README lists them.
var Strategies = []Strategy{
	{"AllAtOnce", "CodeDeployDefault.ECSAllAtOnce"},
	{"Canary10Percent5Minutes", "CodeDeployDefault.ECSCanary10Percent5Minutes"},
	{"Canary10Percent15Minutes", "CodeDeployDefault.ECSCanary10Percent15Minutes"},
	{"Linear10PercentEvery1Minute", "CodeDeployDefault.ECSLinear10PercentEvery1Minutes"},
	{"Linear10PercentEvery3Minutes", "CodeDeployDefault.ECSLinear10PercentEvery3Minutes"},
}

// StrategyNamed finds a strategy by its config name.
func StrategyNamed(name string) (Strategy, bool) {
	for _, s := range Strategies {
		if s.Name == name {
			return s, true
		}
	}
	return Strategy{}, false
}

// StrategyNames lists the strategies' config names.
func StrategyNames() []string {
	names := make([]string, len(Strategies))
	for i, s := range Strategies {
		names[i] = s.Name
	}
	return names
}

// FargateSize is the memory (MiB) a Fargate CPU size accepts: Min to Max in steps of Step, except
// 256 CPU units, which take 512, 1024 or 2048 only.
type FargateSize struct{ CPU, Min, Max, Step int }

// FargateSizes is the ECS task-size table, by CPU units, smallest first.
var FargateSizes = []FargateSize{
	{256, 512, 2048, 512}, {512, 1024, 4096, 1024}, {1024, 2048, 8192, 1024}, {2048, 4096, 16384, 1024},
	{4096, 8192, 30720, 1024}, {8192, 16384, 61440, 4096}, {16384, 32768, 122880, 8192},
}

// FargateCPU returns the size of a CPU value, if Fargate offers it.
func FargateCPU(cpu int) (FargateSize, bool) {
	for _, f := range FargateSizes {
		if f.CPU == cpu {
			return f, true
		}
	}
	return FargateSize{}, false
}

// Fits reports whether Fargate pairs mib of memory with this CPU size.
func (f FargateSize) Fits(mib int) bool {
	if f.CPU == 256 {
		return mib == 512 || mib == 1024 || mib == 2048
	}
	return mib >= f.Min && mib <= f.Max && mib%f.Step == 0
}

func (f FargateSize) String() string {
	if f.CPU == 256 {
		return "512, 1024 or 2048 MiB"
	}
	return fmt.Sprintf("%d to %d MiB in steps of %d", f.Min, f.Max, f.Step)
}

// FargateSizeAtLeast is the smallest Fargate size with at least cpu units and memory MiB; the
// largest when none is big enough.
func FargateSizeAtLeast(cpu, memory int) (int, int) {
	for _, f := range FargateSizes {
		if f.CPU < cpu || f.Max < memory {
			continue
		}
		for m := max(f.Min, memory); m <= f.Max; m++ {
			if f.Fits(m) {
				return f.CPU, m
			}
		}
	}
	last := FargateSizes[len(FargateSizes)-1]
	return last.CPU, last.Max
}
