import { fireTurn, installedHooks } from './bench/scale/scale-bench';
import { loadFixture, WorkloadGenerator } from './bench/workload';
const ws = process.argv[2] as string;
const fixture = loadFixture('/work/main');
console.log(fireTurn(ws, fixture, new WorkloadGenerator(fixture, Number(process.argv[3] ?? 1)), installedHooks(ws)));
