<?php
// Runs Kaltura's own caption parsers (read from a kaltura/server checkout by the test, never stored in
// this project) on one caption file and prints, as JSON, what Kaltura's player and search get from it:
// the parsed items (captionAsset.serveAsJson) and the WebVTT served to the player (serveWebVTT).
// Usage: php harness.php FORMAT FILE KALTURA_PHP_FILE...
class KalturaLog
{
	public static function __callStatic($name, $arguments)
	{
	}
}

foreach (array_slice($argv, 3) as $source)
	require_once $source;

$format = $argv[1];
$content = file_get_contents($argv[2]);
// CaptionAssetService::serveWebVTTAction and serveAsJsonAction normalise line ends first
$content = str_replace(array("\r\n", "\r"), "\n", $content);
$managers = array(
	'srt' => 'srtCaptionsContentManager',
	'vtt' => 'webVttCaptionsContentManager',
	'dfxp' => 'dfxpCaptionsContentManager',
);
$manager = call_user_func(array($managers[$format], 'get'));
$items = $manager->parse($content);
if ($format == 'vtt')
	$served = kWebVTTGenerator::getSegmentFromWebVTT($manager, $content, -1, 30, 10000);
else
	$served = kWebVTTGenerator::buildWebVTTSegment($items, -1, 30, 10000);
echo json_encode(array('items' => $items, 'webvtt' => $served, 'search' => $manager->getContent($content)));
