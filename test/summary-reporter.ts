/**
 * One plain line at the end of every test run with the counts, because a CI log reader (or a
 * person scrolling back) should not have to parse vitest's report to know whether the run passed.
 */
import type { Reporter, TestModule } from 'vitest/node';

/**
 * Ends a test run with one plain line, `tests: N passed, N failed, N skipped`, that
 * any CI log reader understands, after vitest's own report.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    // A file can fail with no failed test: an error in a hook before its tests (they count as skipped).
    const failedFiles: string[] = [];
    for (const module of testModules) {
      if (module.state() === 'failed' && module.errors().length > 0) failedFiles.push(module.moduleId);
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed += 1;
        else if (state === 'failed') counts.failed += 1;
        else counts.skipped += 1;
      }
    }
    const files = failedFiles.length > 0 ? `; ${failedFiles.length} files failed outside their tests` : '';
    console.log(`\ntests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped${files}`);
  }
}
