import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

type FindingRule = 'AwsSolutions-IAM4' | 'AwsSolutions-IAM5';

const accepted = new Map<IConstruct, Array<{ rule: FindingRule; reason: string }>>();

/**
 * Accepts the findings of a rule that cdk-nag reports one by one (`AwsSolutions-IAM5[Action::s3:GetObject*]`)
 * on a construct and everything below it, for the reason given here, next to the resource. The exact
 * finding ids embed logical ids, so `acknowledgeAcceptedFindings` resolves them once the app is built.
 */
export function acceptFindings(scope: IConstruct, rule: FindingRule, reason: string): void {
  accepted.set(scope, [...(accepted.get(scope) ?? []), { rule, reason }]);
}

/** Acknowledges, with their reasons, exactly the findings that fall under an `acceptFindings` declaration. */
export function acknowledgeAcceptedFindings(app: App): void {
  const byPath = new Map<
    string,
    { scope: IConstruct; entries: Array<{ rule: FindingRule; reason: string }> }
  >();
  for (const [scope, entries] of accepted) byPath.set(scope.node.path, { scope, entries });
  const report = new AwsSolutionsChecks(app).validateScope(app);
  for (const violation of report.violations) {
    const rule = violation.ruleName.replace(/\[.*$/, '');
    for (const resource of violation.violatingResources) {
      const path = (resource as { constructPath?: string }).constructPath ?? '';
      const segments = path.split('/');
      for (let length = segments.length; length > 0; length--) {
        const owner = byPath.get(segments.slice(0, length).join('/'));
        const entry = owner?.entries.find((e) => e.rule === rule);
        if (owner && entry) {
          Validations.of(owner.scope).acknowledge({ id: violation.ruleName, reason: entry.reason });
          break;
        }
      }
    }
  }
}
