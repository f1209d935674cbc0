// The comparison in README "Render performance": `cdk synth` of the L1 resources chatlog renders.
// One Stack per template of `chatlog render --target cloudformation --format json`, one
// CfnResource per resource (with its condition and DependsOn), its parameters, conditions and
// outputs; then app.synth(). Run with aws-cdk-lib 2.276.0 and constructs 10 installed beside it:
//
//   npm install aws-cdk-lib@2.276.0 constructs@10
//   CDK_VALIDATION=false node app.js <out>/cloudformation cdk.out
const cdk = require('aws-cdk-lib');
const fs = require('fs');
const path = require('path');

const [dir, outdir] = process.argv.slice(2);
const app = new cdk.App({ outdir });
for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
  const t = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  // Stack names must start with a letter; chatlog's start with the account id.
  const stack = new cdk.Stack(app, 's-' + file.replace(/\.json$/, ''), {
    synthesizer: new cdk.LegacyStackSynthesizer(),
  });
  for (const [id, p] of Object.entries(t.Parameters || {})) {
    new cdk.CfnParameter(stack, id, { type: p.Type, default: p.Default, description: p.Description });
  }
  for (const [id, c] of Object.entries(t.Conditions || {})) {
    new cdk.CfnCondition(stack, id).expression = { resolve: () => c };
  }
  for (const [id, r] of Object.entries(t.Resources || {})) {
    const resource = new cdk.CfnResource(stack, id, { type: r.Type, properties: r.Properties });
    if (r.Condition) resource.cfnOptions.condition = { logicalId: r.Condition };
    if (r.DependsOn) resource.addOverride('DependsOn', [].concat(r.DependsOn));
  }
  for (const [id, o] of Object.entries(t.Outputs || {})) {
    new cdk.CfnOutput(stack, id, {
      value: cdk.Token.asString(o.Value),
      exportName: o.Export ? cdk.Token.asString(o.Export.Name) : undefined,
      description: o.Description,
    });
  }
}
app.synth();
