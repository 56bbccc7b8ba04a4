package spec

import (
	"fmt"
	"testing"
)

// The smallest size that holds a request, checked against the ECS task-size table.
func TestFargateSizeAtLeast(t *testing.T) {
	for _, c := range []struct{ cpu, memory, wantCPU, wantMemory int }{
		{512, 1536, 512, 2048}, {512, 4096, 512, 4096}, {512, 4097, 1024, 5120}, {1024, 1536, 1024, 2048},
		{2048, 16385, 4096, 17408}, {8192, 20000, 8192, 20480}, {16384, 200000, 16384, 122880}, {256, 600, 256, 1024},
		// The test task: the app's memory and 512 MiB for the test container.
		{512, 1024 + 512, 512, 2048}, {512, 512 + 512, 512, 1024}, {1024, 2048 + 512, 1024, 3072},
		{512, 4096 + 512, 1024, 5120}, {2048, 16384 + 512, 4096, 17408}, {8192, 16384 + 512, 8192, 20480},
		{16384, 122880 + 512, 16384, 122880},
	} {
		t.Run(fmt.Sprintf("%d CPU %d MiB", c.cpu, c.memory), func(t *testing.T) {
			cpu, memory := FargateSizeAtLeast(c.cpu, c.memory)
			if cpu != c.wantCPU {
				t.Errorf("FargateSizeAtLeast(%d, %d) CPU = %d; want %d", c.cpu, c.memory, cpu, c.wantCPU)
			}
			if memory != c.wantMemory {
				t.Errorf("FargateSizeAtLeast(%d, %d) memory = %d; want %d", c.cpu, c.memory, memory, c.wantMemory)
			}
			if f, _ := FargateCPU(cpu); memory <= f.Max && !f.Fits(memory) {
				t.Errorf("FargateSizeAtLeast(%d, %d) = %d, %d, which Fargate does not pair", c.cpu, c.memory, cpu, memory)
			}
		})
	}
}

func TestStrategies(t *testing.T) {
	s, ok := StrategyNamed(DefaultStrategy)
	if !ok {
		t.Errorf("the default strategy %q is not found", DefaultStrategy)
	}
	if want := "CodeDeployDefault.ECSAllAtOnce"; s.CodeDeployConfig != want {
		t.Errorf("the default strategy %q renders %q; want %q", DefaultStrategy, s.CodeDeployConfig, want)
	}
	if _, ok := StrategyNamed("Blue"); ok {
		t.Error("an unknown strategy was found")
	}
	if len(StrategyNames()) != 5 {
		t.Errorf("strategies %v; want 5", StrategyNames())
	}
}
