# Import by the image digest: the image's latest scan task is adopted. The
# first apply afterwards takes the other arguments from the configuration
# without scanning again.
terraform import sas_image_scan.release sha256:3f9a3f9a3f9a3f9a3f9a3f9a3f9a3f9a3f9a3f9a3f9a3f9a3f9a3f9a3f9a3f9a
