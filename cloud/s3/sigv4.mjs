// AWS Signature Version 4 checking for the local S3. s3rver only checks that a V4 request names a
// known access key (it never recomputes the signature) and lets unsigned requests through; R2 and
// S3 refuse both. Cairn must see the same 403s here that a wrong secret key gets in production.
import crypto from 'node:crypto'

const hmac = (key, data) => crypto.createHmac('sha256', key).update(data).digest()
const sha256Hex = (data) => crypto.createHash('sha256').update(data).digest('hex')

/** RFC 3986 encoding as SigV4 wants it (unreserved characters kept, everything else %XX). */
function encode(value) {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
  )
}

function decode(value) {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

function canonicalQuery(rawQuery, skip) {
  if (!rawQuery) return ''
  return rawQuery
    .split('&')
    .filter((p) => p !== '')
    .map((pair) => {
      const i = pair.indexOf('=')
      const k = i < 0 ? pair : pair.slice(0, i)
      const v = i < 0 ? '' : pair.slice(i + 1)
      return [encode(decode(k)), encode(decode(v))]
    })
    .filter(([k]) => k !== skip)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&')
}

function headerValue(req, name) {
  const v = req.headers[name]
  const joined = Array.isArray(v) ? v.join(',') : (v ?? '')
  return String(joined).trim().replace(/\s+/g, ' ')
}

/**
 * Checks the request's SigV4 signature (Authorization header or presigned query).
 * Returns undefined when valid, else [code, message] of the S3 error to answer.
 */
export function checkSignature(req, secretFor) {
  const [rawPath = '/', rawQuery = ''] = (req.url ?? '/').split(/\?(.*)/s)
  const auth = req.headers.authorization
  let accessKey, date, region, service, signedHeaders, signature, amzDate, payloadHash, query

  if (typeof auth === 'string' && auth.startsWith('AWS4-HMAC-SHA256 ')) {
    const fields = Object.fromEntries(
      auth
        .slice('AWS4-HMAC-SHA256 '.length)
        .split(',')
        .map((p) => p.trim().split('=')),
    )
    ;[accessKey, date, region, service] = String(fields.Credential ?? '').split('/')
    signedHeaders = String(fields.SignedHeaders ?? '')
    signature = String(fields.Signature ?? '')
    amzDate = headerValue(req, 'x-amz-date')
    payloadHash = headerValue(req, 'x-amz-content-sha256') || 'UNSIGNED-PAYLOAD'
    query = canonicalQuery(rawQuery)
  } else if (/(^|&)X-Amz-Algorithm=AWS4-HMAC-SHA256(&|$)/.test(rawQuery)) {
    const params = new URLSearchParams(rawQuery)
    ;[accessKey, date, region, service] = String(params.get('X-Amz-Credential') ?? '').split('/')
    signedHeaders = params.get('X-Amz-SignedHeaders') ?? ''
    signature = params.get('X-Amz-Signature') ?? ''
    amzDate = params.get('X-Amz-Date') ?? ''
    payloadHash = 'UNSIGNED-PAYLOAD'
    query = canonicalQuery(rawQuery, 'X-Amz-Signature')
    const expires = Number(params.get('X-Amz-Expires') ?? '0')
    const m = amzDate.match(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/)
    const signedAt = m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : NaN
    if (!Number.isFinite(signedAt) || Date.now() > signedAt + expires * 1000) {
      return ['AccessDenied', 'Request has expired']
    }
  } else if (auth === undefined) {
    return ['AccessDenied', 'Access Denied']
  } else {
    return ['InvalidRequest', 'Only AWS4-HMAC-SHA256 signatures are supported']
  }

  const secret = secretFor(accessKey)
  if (secret === undefined) {
    return [
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
    ]
  }
  const headers = signedHeaders
    .split(';')
    .filter((h) => h !== '')
    .map((h) => `${h}:${headerValue(req, h)}\n`)
    .join('')
  const canonicalRequest = [req.method, rawPath, query, headers, signedHeaders, payloadHash].join(
    '\n',
  )
  const scope = `${date}/${region}/${service}/aws4_request`
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n')
  let key = hmac('AWS4' + secret, date ?? '')
  for (const part of [region ?? '', service ?? '', 'aws4_request']) key = hmac(key, part)
  const expected = hmac(key, stringToSign).toString('hex')
  const ok =
    expected.length === signature.length &&
    crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(signature))
  return ok
    ? undefined
    : [
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      ]
}
