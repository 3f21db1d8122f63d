/**
 * The IAB US Privacy string (CCPA), four characters: version `1`, notice given, opted out of sale, LSPA
 * covered; each `Y`, `N` or `-` (not applicable). Returns whether the user opted out of sale, or
 * `undefined` for a malformed string (treated as no consent by the caller).
 */
const kValid = /^1[YN-][YN-][YN-]$/i;

export function usPrivacyOptedOut(s: string): boolean | undefined {
  if (!kValid.test(s)) return undefined;
  return s[2] === 'Y' || s[2] === 'y';
}
