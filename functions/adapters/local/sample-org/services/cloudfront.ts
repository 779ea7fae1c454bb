import type { SampleAccount } from '../accounts.ts';
import { Random } from '../random.ts';
import { awsError, existsAt, paginate, type SampleCall, type ServiceSimulator } from '../simulator.ts';
import { CLOUDFRONT_REGION, type SampleDistribution, sampleWebAcls } from './wafv2.ts';

const GLOBAL_WEB_ACL_ARN = /^arn:aws:wafv2:us-east-1:\d{12}:global\/webacl\/[^/]+\/[0-9a-f-]{36}$/;
const CLASSIC_WEB_ACL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** CloudFront honours MaxItems; the sample serves two at a time so paging happens with few distributions. */
const SERVER_PAGE = 2;

/** Distributions of the account that no web ACL protects (what `WebACLId: "null"` lists). */
function unprotectedDistributions(account: SampleAccount): SampleDistribution[] {
  const random = new Random(account.id, 'cloudfront', 'unprotected');
  const count = account.environment === 'sandbox' ? 0 : random.int(0, 2);
  return Array.from({ length: count }, (_, i) => {
    const id = `E${random.hex(13).toUpperCase()}`;
    return {
      id,
      arn: `arn:aws:cloudfront::${account.id}:distribution/${id}`,
      domainName: `d${random.hex(13)}.cloudfront.net`,
      alias: `assets${i + 1}.${account.product ?? account.name}.example.com`,
      lastModified: new Date(Date.UTC(2025, 0, 1) + random.int(0, 500) * 86_400_000),
    };
  });
}

function summary(distribution: SampleDistribution, webAclId: string) {
  const originId = `${distribution.alias.split('.')[1] ?? 'origin'}-origin`;
  return {
    Id: distribution.id,
    ARN: distribution.arn,
    Status: 'Deployed',
    LastModifiedTime: distribution.lastModified,
    DomainName: distribution.domainName,
    Aliases: { Quantity: 1, Items: [distribution.alias] },
    Origins: {
      Quantity: 1,
      Items: [
        {
          Id: originId,
          DomainName: `${originId}.s3.us-east-1.amazonaws.com`,
          OriginPath: '',
          CustomHeaders: { Quantity: 0 },
          S3OriginConfig: { OriginAccessIdentity: '' },
          ConnectionAttempts: 3,
          ConnectionTimeout: 10,
          OriginShield: { Enabled: false },
          OriginAccessControlId: `E${distribution.id.slice(1, 13)}X`,
        },
      ],
    },
    DefaultCacheBehavior: {
      TargetOriginId: originId,
      TrustedSigners: { Enabled: false, Quantity: 0 },
      TrustedKeyGroups: { Enabled: false, Quantity: 0 },
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: {
        Quantity: 2,
        Items: ['HEAD', 'GET'],
        CachedMethods: { Quantity: 2, Items: ['HEAD', 'GET'] },
      },
      SmoothStreaming: false,
      Compress: true,
      LambdaFunctionAssociations: { Quantity: 0 },
      FunctionAssociations: { Quantity: 0 },
      FieldLevelEncryptionId: '',
      CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
    },
    CacheBehaviors: { Quantity: 0 },
    CustomErrorResponses: { Quantity: 0 },
    Comment: `Distribution for ${distribution.alias}`,
    PriceClass: 'PriceClass_100',
    Enabled: true,
    ViewerCertificate: {
      CloudFrontDefaultCertificate: false,
      ACMCertificateArn: `arn:aws:acm:us-east-1:${distribution.arn.split(':')[4]}:certificate/${new Random(distribution.id).uuid()}`,
      SSLSupportMethod: 'sni-only',
      MinimumProtocolVersion: 'TLSv1.2_2021',
      Certificate: '',
      CertificateSource: 'acm',
    },
    Restrictions: { GeoRestriction: { RestrictionType: 'none', Quantity: 0 } },
    WebACLId: webAclId === 'null' ? '' : webAclId,
    HttpVersion: 'http2and3',
    IsIPV6Enabled: true,
    Staging: false,
  };
}

function listDistributionsByWebAclId(call: SampleCall): object {
  const { WebACLId, Marker, MaxItems } = call.input;
  if (typeof WebACLId !== 'string' || WebACLId === '') {
    throw awsError('InvalidArgument', 'The parameter WebACLId is required.');
  }
  if (
    MaxItems !== undefined &&
    (!Number.isInteger(Number(MaxItems)) || Number(MaxItems) < 1 || Number(MaxItems) > 100)
  ) {
    throw awsError('InvalidArgument', 'The parameter MaxItems must be between 1 and 100.');
  }
  let distributions: SampleDistribution[];
  if (WebACLId === 'null') {
    distributions = unprotectedDistributions(call.account);
  } else if (GLOBAL_WEB_ACL_ARN.test(WebACLId)) {
    distributions =
      sampleWebAcls(call.account, CLOUDFRONT_REGION, 'CLOUDFRONT')
        .filter((acl) => existsAt(acl, call.now))
        .find((acl) => acl.arn === WebACLId)
        ?.distributions.slice() ?? [];
  } else if (CLASSIC_WEB_ACL_ID.test(WebACLId)) {
    distributions = [];
  } else {
    throw awsError('InvalidWebACLId', 'Web ACL is not valid.');
  }
  const maxItems = MaxItems === undefined ? 100 : Number(MaxItems);
  const { page, nextToken } = paginate(distributions, {
    token: Marker || undefined,
    pageSize: Math.min(maxItems, SERVER_PAGE),
    request: { WebACLId, MaxItems, account: call.account.id },
    invalidToken: () => awsError('InvalidArgument', 'The parameter Marker is invalid.'),
  });
  return {
    DistributionList: {
      Marker: Marker ?? '',
      ...(nextToken ? { NextMarker: nextToken } : {}),
      MaxItems: maxItems,
      IsTruncated: nextToken !== undefined,
      Quantity: page.length,
      ...(page.length > 0 ? { Items: page.map((d) => summary(d, WebACLId)) } : {}),
    },
  };
}

export const cloudFrontSimulator: ServiceSimulator = {
  service: 'CloudFront',
  operations: { ListDistributionsByWebACLId: listDistributionsByWebAclId },
  // CloudFront is global and needs no enabling: an account it does not serve is one whose credentials it rejects.
  notEnabled: () =>
    awsError('InvalidClientTokenId', 'The security token included in the request is invalid.', {
      status: 403,
    }),
  malform(operation, output) {
    const copy = structuredClone(output) as Record<string, unknown>;
    if (operation === 'ListDistributionsByWebACLId') {
      delete (copy.DistributionList as Record<string, unknown>).IsTruncated;
    }
    return copy;
  },
};
