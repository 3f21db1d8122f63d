// The Prebid.js bundle for the demo: core plus the Prebid Server adapter, built by esbuild from the npm
// package's prebuilt modules (no Prebid gulp toolchain needed).
import pbjs from 'prebid.js';
import 'prebid.js/modules/prebidServerBidAdapter';

pbjs.processQueue();
