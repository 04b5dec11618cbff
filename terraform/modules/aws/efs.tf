# Named volumes: one EFS file system per deployment, reached from the
# workloads' subnets through a mount target in each and a security group
# that lets the workloads' security groups speak NFS to it. Each Docker
# volume is an access point the control plane makes on it.

resource "aws_efs_file_system" "volumes" {
  count = var.volumes ? 1 : 0

  creation_token = "${var.name}-volumes"
  encrypted      = true
  tags           = merge(var.tags, { Name = "${var.name}-volumes" })
}

resource "aws_security_group" "efs" {
  count = var.volumes && var.vpc_id != "" ? 1 : 0

  name        = "${var.name}-efs"
  description = "NFS from the Sockerless workloads to the volumes' file system"
  vpc_id      = var.vpc_id
  tags        = var.tags

  ingress {
    description     = "NFS from the workloads"
    from_port       = 2049
    to_port         = 2049
    protocol        = "tcp"
    security_groups = var.security_groups
    self            = true
  }
}

locals {
  efs_security_groups = concat(aws_security_group.efs[*].id, var.efs_security_groups)
}

resource "aws_efs_mount_target" "volumes" {
  for_each = var.volumes ? toset(var.subnets) : toset([])

  file_system_id = aws_efs_file_system.volumes[0].id
  subnet_id      = each.value
  # None given: EFS gives the mount target its VPC's default security
  # group, which an empty list would have every plan take away again.
  security_groups = length(local.efs_security_groups) > 0 ? local.efs_security_groups : null
}
